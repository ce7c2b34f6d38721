#include "quant_kernels.h"

#include <math.h>
#include <string.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define QK_AVX2 1
#endif

// ---------------------------------------------------------------------------------------------------
// Inputs

static void quantize_group(const float *x, int16_t *q, float *step, float *sums16, float *sum32) {
    float largest = 0, low = 0, high = 0;
    for (int j = 0; j < QK_INPUT_GROUP; j++) {
        float a = fabsf(x[j]);
        largest = a > largest ? a : largest;
        if (j < 16) low += x[j]; else high += x[j];
    }
    sums16[0] = low;
    sums16[1] = high;
    *sum32 = low + high;
    if (largest == 0) {
        *step = 0;
        memset(q, 0, QK_INPUT_GROUP * sizeof(int16_t));
        return;
    }
    *step = largest / 32767.0f;
    float inverse = 32767.0f / largest;
#ifdef QK_AVX2
    __m256 scale = _mm256_set1_ps(inverse);
    for (int j = 0; j < QK_INPUT_GROUP; j += 16) {
        __m256i a = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j), scale));
        __m256i b = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8), scale));
        // packs works within 128-bit lanes: restore the order of the 16 values.
        __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
        _mm256_storeu_si256((__m256i *)(q + j), packed);
    }
#else
    for (int j = 0; j < QK_INPUT_GROUP; j++) q[j] = (int16_t)lrintf(x[j] * inverse);
#endif
}

void qk_quantize_inputs(const float *x, long ldx, long count, long columns, int16_t *q, float *steps, float *sums) {
    long groups = columns / QK_INPUT_GROUP;
    for (long r = 0; r < count; r++) {
        float *row_sums = sums + 3 * r * groups;
        for (long g = 0; g < groups; g++) {
            quantize_group(x + r * ldx + g * QK_INPUT_GROUP, q + r * columns + g * QK_INPUT_GROUP,
                           steps + r * groups + g, row_sums + 2 * g, row_sums + 2 * groups + g);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Products

/// Σ offset_g · (sum of the input over group g): `sums` holds a sum per 2^shift columns.
static float offset_term(const float *offsets, const float *sums, long groups) {
    long g = 0;
    float total = 0;
#ifdef QK_AVX2
    __m256 acc = _mm256_setzero_ps();
    for (; g + 8 <= groups; g += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(offsets + g), _mm256_loadu_ps(sums + g), acc);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    total = _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
#endif
    for (; g < groups; g++) total += offsets[g] * sums[g];
    return total;
}

#ifdef QK_AVX2
static inline float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// One weight row against NR input rows: each group's weights are widened to 16 bits once, then
// multiplied with every input by vpmaddwd (pairs of 16-bit products summed into 32 bits). Two
// accumulators per input, for even and odd groups, keep two fma chains in flight.
#define NIBBLE_GROUP(NR, G, A)                                                                                     \
    {                                                                                                          \
        __m256i w = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(v + 16 * (G))));                    \
        __m256i lo = _mm256_sub_epi16(_mm256_and_si256(w, low_mask), shift);                                   \
        __m256i hi = _mm256_sub_epi16(_mm256_srli_epi16(w, 4), shift);                                         \
        for (int r = 0; r < NR; r++) {                                                                         \
            const int16_t *x = q + r * columns + 32 * (G);                                                     \
            __m256i p = _mm256_add_epi32(_mm256_madd_epi16(lo, _mm256_loadu_si256((const __m256i *)x)),        \
                                         _mm256_madd_epi16(hi, _mm256_loadu_si256((const __m256i *)(x + 16)))); \
            __m256 factor = _mm256_set1_ps(scales[G] * steps[r * step_groups + (G)]);                          \
            A[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), factor, A[r]);                                       \
        }                                                                                                      \
    }
#define BYTE_CHUNK(NR, C, A)                                                                                       \
    {                                                                                                          \
        __m256i w = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(v + 16 * (C))));                    \
        long g = (C) >> per_group;                                                                             \
        for (int r = 0; r < NR; r++) {                                                                         \
            __m256i p = _mm256_madd_epi16(w, _mm256_loadu_si256((const __m256i *)(q + r * columns + 16 * (C)))); \
            __m256 factor = _mm256_set1_ps(scales[g] * steps[r * step_groups + ((C) >> 1)]);                   \
            A[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), factor, A[r]);                                       \
        }                                                                                                      \
    }
#define DEFINE_ROW_KERNEL(NR)                                                                                  \
    static inline void nibble_row_##NR(const uint8_t *v, const float *scales, long groups, int bias,           \
                                       const int16_t *q, long columns, const float *steps, long step_groups,  \
                                       float *out) {                                                           \
        __m256 even[NR], odd[NR];                                                                              \
        for (int r = 0; r < NR; r++) even[r] = odd[r] = _mm256_setzero_ps();                                   \
        const __m256i low_mask = _mm256_set1_epi16(0x0F), shift = _mm256_set1_epi16((short)bias);              \
        long g = 0;                                                                                            \
        for (; g + 2 <= groups; g += 2) {                                                                      \
            NIBBLE_GROUP(NR, g, even)                                                                              \
            NIBBLE_GROUP(NR, g + 1, odd)                                                                           \
        }                                                                                                      \
        if (g < groups) NIBBLE_GROUP(NR, g, even)                                                                  \
        for (int r = 0; r < NR; r++) out[r] = horizontal_sum(_mm256_add_ps(even[r], odd[r]));                  \
    }                                                                                                          \
    static inline void byte_row_##NR(const int8_t *v, const float *scales, int shift_bits, const int16_t *q,   \
                                     long columns, const float *steps, long step_groups, float *out) {         \
        __m256 even[NR], odd[NR];                                                                              \
        for (int r = 0; r < NR; r++) even[r] = odd[r] = _mm256_setzero_ps();                                   \
        long chunks = columns / 16; /* a multiple of 2 */                                                      \
        int per_group = shift_bits - 4; /* log2 of 16-weight chunks per group */                               \
        for (long c = 0; c < chunks; c += 2) {                                                                 \
            BYTE_CHUNK(NR, c, even)                                                                                \
            BYTE_CHUNK(NR, c + 1, odd)                                                                             \
        }                                                                                                      \
        for (int r = 0; r < NR; r++) out[r] = horizontal_sum(_mm256_add_ps(even[r], odd[r]));                  \
    }

DEFINE_ROW_KERNEL(1)
DEFINE_ROW_KERNEL(2)
DEFINE_ROW_KERNEL(3)
DEFINE_ROW_KERNEL(4)

static void row_products(const uint8_t *v, const float *scales, long groups, int value_bits, int shift, int bias,
                         const int16_t *q, long columns, const float *steps, long step_groups, long nr, float *out) {
    if (value_bits == 4) {
        switch (nr) {
        case 1: nibble_row_1(v, scales, groups, bias, q, columns, steps, step_groups, out); break;
        case 2: nibble_row_2(v, scales, groups, bias, q, columns, steps, step_groups, out); break;
        case 3: nibble_row_3(v, scales, groups, bias, q, columns, steps, step_groups, out); break;
        default: nibble_row_4(v, scales, groups, bias, q, columns, steps, step_groups, out); break;
        }
    } else {
        const int8_t *b = (const int8_t *)v;
        switch (nr) {
        case 1: byte_row_1(b, scales, shift, q, columns, steps, step_groups, out); break;
        case 2: byte_row_2(b, scales, shift, q, columns, steps, step_groups, out); break;
        case 3: byte_row_3(b, scales, shift, q, columns, steps, step_groups, out); break;
        default: byte_row_4(b, scales, shift, q, columns, steps, step_groups, out); break;
        }
    }
}
#else
static void row_products(const uint8_t *v, const float *scales, long groups, int value_bits, int shift, int bias,
                         const int16_t *q, long columns, const float *steps, long step_groups, long nr, float *out) {
    long size = 1L << shift;
    for (long r = 0; r < nr; r++) {
        const int16_t *x = q + r * columns;
        float total = 0;
        for (long g = 0; g < groups; g++) {
            int32_t dot = 0;
            for (long j = 0; j < size; j++) {
                long column = g * size + j;
                int w;
                if (value_bits == 4) {
                    // Byte j of a 32-weight group holds weights j (low nibble) and j + 16 (high).
                    long group = column >> 5, within = column & 31;
                    uint8_t byte = v[16 * group + (within & 15)];
                    w = (within < 16 ? (byte & 0x0F) : (byte >> 4)) - bias;
                } else {
                    w = ((const int8_t *)v)[column];
                }
                dot += w * x[column];
            }
            total += (float)dot * (scales[g] * steps[r * step_groups + ((g * size) >> 5)]);
        }
        out[r] = total;
    }
}
#endif

void qk_multiply_rows(const uint8_t *values, const float *scales, const float *offsets, long columns, int value_bits,
                      int group_shift, int bias, long row_begin, long row_end, const int16_t *q, const float *steps,
                      const float *sums, long count, float *y, long ldy, int accumulate) {
    long groups = columns >> group_shift, step_groups = columns / QK_INPUT_GROUP;
    long row_bytes = value_bits == 4 ? columns / 2 : columns;
    for (long o = row_begin; o < row_end; o++) {
        const uint8_t *v = values + o * row_bytes;
        const float *s = scales + o * groups;
        for (long r0 = 0; r0 < count; r0 += 4) {
            long nr = count - r0 < 4 ? count - r0 : 4;
            float out[4];
            row_products(v, s, groups, value_bits, group_shift, bias, q + r0 * columns, columns,
                         steps + r0 * step_groups, step_groups, nr, out);
            for (long r = 0; r < nr; r++) {
                float value = out[r];
                if (offsets) {
                    const float *row_sums = sums + 3 * (r0 + r) * step_groups + (group_shift == 5 ? 2 * step_groups : 0);
                    value += offset_term(offsets + o * groups, row_sums, groups);
                }
                float *target = y + (r0 + r) * ldy + o;
                *target = accumulate ? *target + value : value;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Dequantization

void qk_dequantize_row(const uint8_t *values, const float *scales, const float *offsets, long columns, int value_bits,
                       int group_shift, int bias, long row, float *out) {
    long groups = columns >> group_shift, size = 1L << group_shift;
    const float *s = scales + row * groups, *m = offsets ? offsets + row * groups : 0;
    if (value_bits == 4) {
        const uint8_t *v = values + row * (columns / 2);
        for (long g = 0; g < groups; g++) {  // 4-bit formats have 32-weight groups
            const uint8_t *b = v + 16 * g;
            float scale = s[g], offset = m ? m[g] : 0;
            if (m) {
                for (int j = 0; j < 16; j++) {
                    out[32 * g + j] = fmaf((float)((b[j] & 0x0F) - bias), scale, offset);
                    out[32 * g + j + 16] = fmaf((float)((b[j] >> 4) - bias), scale, offset);
                }
            } else {  // a product alone keeps the sign of a zero weight (−0 for a negative scale)
                for (int j = 0; j < 16; j++) {
                    out[32 * g + j] = (float)((b[j] & 0x0F) - bias) * scale;
                    out[32 * g + j + 16] = (float)((b[j] >> 4) - bias) * scale;
                }
            }
        }
    } else {
        const int8_t *v = (const int8_t *)values + row * columns;
        for (long g = 0; g < groups; g++) {
            float scale = s[g], offset = m ? m[g] : 0;
            if (m) {
                for (long j = 0; j < size; j++) out[g * size + j] = fmaf((float)v[g * size + j], scale, offset);
            } else {
                for (long j = 0; j < size; j++) out[g * size + j] = (float)v[g * size + j] * scale;
            }
        }
    }
}
