#include <cuda_fp16.h>
// Hand-written CUDA kernels with kdsl's launch ABI (the non-constexpr
// parameters in order; one CUDA block of num_warps * 32 threads per program),
// compiled by nvcc into the runtime's test bundle until kdslc emits PTX.

// vector_add(x: *f32, y: *f32, out: *f32, n: i32, BLOCK: const i32)
//     grid(cdiv(n, BLOCK)); one entry per BLOCK.
template <int BLOCK>
__device__ void vectorAdd(const float *x, const float *y, float *out, int n) {
  long base = static_cast<long>(blockIdx.x) * BLOCK;
  for (int i = threadIdx.x; i < BLOCK; i += blockDim.x)
    if (base + i < n)
      out[base + i] = x[base + i] + y[base + i];
}

extern "C" __global__ void vector_add_256(const float *x, const float *y,
                                          float *out, int n) {
  vectorAdd<256>(x, y, out, n);
}
extern "C" __global__ void vector_add_1024(const float *x, const float *y,
                                           float *out, int n) {
  vectorAdd<1024>(x, y, out, n);
}
// The variant for 16-byte aligned pointers: float4 accesses.
extern "C" __global__ void vector_add_1024_aligned(const float *x,
                                                   const float *y, float *out,
                                                   int n) {
  long base = static_cast<long>(blockIdx.x) * 1024;
  for (int i = threadIdx.x * 4; i < 1024; i += blockDim.x * 4) {
    long at = base + i;
    if (at + 3 < n) {
      float4 a = *reinterpret_cast<const float4 *>(x + at);
      float4 b = *reinterpret_cast<const float4 *>(y + at);
      *reinterpret_cast<float4 *>(out + at) =
          make_float4(a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w);
    } else {
      for (long j = at; j < n && j < at + 4; ++j)
        out[j] = x[j] + y[j];
    }
  }
}

// scale(x: *f32, out: *f32, alpha: f32, h: f16, b: bf16, n: i64, flag: bool)
// out[i] = x[i] * alpha + h + b (+1 when flag); checks scalar packing.
extern "C" __global__ void scale(const float *x, float *out, float alpha,
                                 unsigned short h, unsigned short b, long n,
                                 bool flag) {
  long i = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float hf = __half2float(*reinterpret_cast<__half *>(&h));
  unsigned int bits = static_cast<unsigned int>(b) << 16;
  float bf = __uint_as_float(bits);
  out[i] = x[i] * alpha + hf + bf + (flag ? 1.0f : 0.0f);
}

// Empty kernels for the launch-overhead benchmark: 4 and 16 parameters.
extern "C" __global__ void empty4(float *a, float *b, int n, int m) {}
extern "C" __global__ void empty16(float *a0, float *a1, float *a2, float *a3,
                                   float *a4, float *a5, float *a6, float *a7,
                                   int n, int m0, int m1, int m2, int m3,
                                   int m4, int m5, int m6) {}

// fault(p: *f32, n: i32): writes far outside any allocation.
extern "C" __global__ void fault(float *p, int n) {
  p[static_cast<long>(n) * 1000000000L + threadIdx.x] = 1.0f;
}

// heavy(out: *f32, n: i32): many live registers, so 1024 threads per block
// exceed the register file (CUDA_ERROR_OUT_OF_RESOURCES).
extern "C" __global__ void heavy(float *out, int n) {
  float v[96];
#pragma unroll
  for (int i = 0; i < 96; ++i)
    v[i] = out[(threadIdx.x + i * 7) % n];
  float acc = 0;
#pragma unroll
  for (int r = 0; r < 4; ++r)
#pragma unroll
    for (int i = 0; i < 96; ++i)
      acc += v[i] * v[(i + r) % 96];
  out[threadIdx.x % n] = acc;
}

// shared_sum(x: *f32, out: *f32, n: i32): stages x through dynamic shared
// memory (the bundle asks for more than 48 KB) and writes the block's sum.
extern "C" __global__ void shared_sum(const float *x, float *out, int n) {
  extern __shared__ float staged[];
  for (int i = threadIdx.x; i < n; i += blockDim.x)
    staged[i] = x[i];
  __syncthreads();
  if (threadIdx.x == 0) {
    float sum = 0;
    for (int i = 0; i < n; ++i)
      sum += staged[i];
    *out = sum;
  }
}
