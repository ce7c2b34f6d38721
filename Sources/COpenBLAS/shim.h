#ifndef LIGHTNING_COPENBLAS_SHIM_H
#define LIGHTNING_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
