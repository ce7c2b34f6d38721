#ifndef QUANT_KERNELS_H
#define QUANT_KERNELS_H

#include <stdint.h>

// Products of quantized weight matrices with a few input rows, for the model's decode steps.
//
// Weights: each is `scale * v + offset` with a small integer v and one (scale, offset) per group of
// 16 or 32 consecutive weights of a row. A row of 4-bit values stores each 32-weight group in 16 bytes,
// byte j holding weight j in its low nibble and j + 16 in its high one (v = nibble - bias); a row of
// 5- to 8-bit values stores v as one signed byte per weight. Scales and offsets of a row are two arrays
// of `columns >> group_shift` floats; offsets are NULL for the symmetric formats, whose values are
// centred on their bias.
//
// Inputs are quantized first (`qk_quantize_inputs`): per group of 32 columns, x ~ q * step with 16-bit
// q (an error of at most 2^-16 of the group's largest magnitude), exact float sums kept for the
// offsets. A product then sums u * q in integers per group and applies scale * step once.

#ifdef __cplusplus
extern "C" {
#endif

/// Columns per input group.
#define QK_INPUT_GROUP 32

/// Quantizes `count` rows of `columns` floats (`ldx` apart; columns a multiple of 32) into `q`
/// (`count * columns`), `steps` (`count * columns / 32`) and `sums` (`3 * count * columns / 32`: per
/// row, the exact float sum of every 16 columns, then of every 32).
void qk_quantize_inputs(const float *x, long ldx, long count, long columns, int16_t *q, float *steps, float *sums);

/// `y[r * ldy + o] = (accumulate ? y[r * ldy + o] : 0) + row o · input r` for weight rows
/// `row_begin..<row_end` and the `count` quantized input rows. `values` is the matrix's packed values,
/// `scales` and `offsets` its `rows * (columns >> group_shift)` floats each (offsets NULL when all are
/// zero); `value_bits` is 4 (u = nibble - bias) or 8 (u = signed byte, bias ignored).
void qk_multiply_rows(const uint8_t *values, const float *scales, const float *offsets, long columns, int value_bits,
                      int group_shift, int bias, long row_begin, long row_end, const int16_t *q, const float *steps,
                      const float *sums, long count, float *y, long ldy, int accumulate);

/// Writes row `row`'s weights as floats: `fma(u, scale, offset)`, each rounded once as in the
/// reference dequantization.
void qk_dequantize_row(const uint8_t *values, const float *scales, const float *offsets, long columns, int value_bits,
                       int group_shift, int bias, long row, float *out);

#ifdef __cplusplus
}
#endif

#endif
