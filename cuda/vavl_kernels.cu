// The one translation unit nvcc compiles into the fatbin: every kernel file of cuda/, one concern each.
#include "elementwise.cu"
#include "pool.cu"
#include "losses.cu"
#include "norm.cu"
#include "conv.cu"
#include "adam.cu"
#include "attention.cu"
