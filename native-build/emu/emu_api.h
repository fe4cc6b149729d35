// The exported driver (libcuda) and cuBLAS entry points of the emulator, with the C signatures of
// cuda.h (CUDA 13) and cublas_api.h. Enums are passed as int, which is how the C ABI passes them.
#pragma once
#include <cstddef>

#define EMU_API extern "C" __attribute__((visibility("default")))

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st* CUcontext;
typedef struct CUmod_st* CUmodule;
typedef struct CUfunc_st* CUfunction;
typedef struct CUstream_st* CUstream;
typedef struct CUevent_st* CUevent;

typedef int cublasStatus_t;
typedef struct cublasContext* cublasHandle_t;
typedef CUstream cudaStream_t;
typedef int cublasOperation_t;
typedef int cublasMath_t;
typedef int cudaDataType;
typedef int cublasComputeType_t;
typedef int cublasGemmAlgo_t;

EMU_API CUresult cuInit(unsigned int Flags);
EMU_API CUresult cuDriverGetVersion(int* driverVersion);
EMU_API CUresult cuDeviceGetCount(int* count);
EMU_API CUresult cuDeviceGet(CUdevice* device, int ordinal);
EMU_API CUresult cuDeviceGetName(char* name, int len, CUdevice dev);
EMU_API CUresult cuDeviceGetAttribute(int* pi, int attrib, CUdevice dev);
EMU_API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev);
EMU_API CUresult cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev);
EMU_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev);
EMU_API CUresult cuCtxSetCurrent(CUcontext ctx);
EMU_API CUresult cuCtxSynchronize(void);
EMU_API CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytesize);
EMU_API CUresult cuMemFree_v2(CUdeviceptr dptr);
EMU_API CUresult cuMemGetInfo_v2(size_t* free, size_t* total);
EMU_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void* srcHost, size_t ByteCount, CUstream hStream);
EMU_API CUresult cuMemcpyDtoHAsync_v2(void* dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream);
EMU_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream);
EMU_API CUresult cuMemsetD8Async(CUdeviceptr dstDevice, unsigned char uc, size_t N, CUstream hStream);
EMU_API CUresult cuMemsetD32Async(CUdeviceptr dstDevice, unsigned int ui, size_t N, CUstream hStream);
EMU_API CUresult cuModuleLoadData(CUmodule* module, const void* image);
EMU_API CUresult cuModuleGetFunction(CUfunction* hfunc, CUmodule hmod, const char* name);
EMU_API CUresult cuModuleUnload(CUmodule hmod);
EMU_API CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
                                unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
                                unsigned int sharedMemBytes, CUstream hStream, void** kernelParams, void** extra);
EMU_API CUresult cuFuncSetAttribute(CUfunction hfunc, int attrib, int value);
EMU_API CUresult cuStreamCreate(CUstream* phStream, unsigned int Flags);
EMU_API CUresult cuStreamDestroy_v2(CUstream hStream);
EMU_API CUresult cuStreamSynchronize(CUstream hStream);
EMU_API CUresult cuEventCreate(CUevent* phEvent, unsigned int Flags);
EMU_API CUresult cuEventRecord(CUevent hEvent, CUstream hStream);
EMU_API CUresult cuEventSynchronize(CUevent hEvent);
EMU_API CUresult cuEventElapsedTime_v2(float* pMilliseconds, CUevent hStart, CUevent hEnd);
EMU_API CUresult cuEventDestroy_v2(CUevent hEvent);
EMU_API CUresult cuGetErrorName(CUresult error, const char** pStr);
EMU_API CUresult cuGetErrorString(CUresult error, const char** pStr);

EMU_API cublasStatus_t cublasCreate_v2(cublasHandle_t* handle);
EMU_API cublasStatus_t cublasDestroy_v2(cublasHandle_t handle);
EMU_API cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId);
EMU_API cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode);
EMU_API const char* cublasGetStatusName(cublasStatus_t status);
EMU_API cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int* version);
EMU_API cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                      int m, int n, int k, const float* alpha, const float* A, int lda,
                                      const float* B, int ldb, const float* beta, float* C, int ldc);
EMU_API cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                    int m, int n, int k, const void* alpha, const void* A, cudaDataType Atype,
                                    int lda, const void* B, cudaDataType Btype, int ldb, const void* beta, void* C,
                                    cudaDataType Ctype, int ldc, cublasComputeType_t computeType,
                                    cublasGemmAlgo_t algo);
EMU_API cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa,
                                                 cublasOperation_t transb, int m, int n, int k, const float* alpha,
                                                 const float* A, int lda, long long int strideA, const float* B,
                                                 int ldb, long long int strideB, const float* beta, float* C,
                                                 int ldc, long long int strideC, int batchCount);
