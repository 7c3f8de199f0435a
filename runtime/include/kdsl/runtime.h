/*===- runtime.h - kdsl runtime C API ------------------------------*- C -*-===*
 *
 * Part of the kdsl project.
 *
 * The plain C API of libkdslrt. Every function returns KDSL_OK (0) or
 * KDSL_ERROR (1); kdsl_last_error() then gives the message for the calling
 * thread. The CUDA driver is loaded on first use; without one the GPU calls
 * fail with "no CUDA driver found: ...".
 *
 *   kdsl_bundle *bundle;
 *   kdsl_kernel *kernel;
 *   if (kdsl_bundle_open("kernels.kpack", &bundle) ||
 *       kdsl_bundle_kernel(bundle, "vector_add", &kernel))
 *     fprintf(stderr, "%s\n", kdsl_last_error());
 *   kdsl_arg args[] = {kdsl_arg_ptr(x, KDSL_F32), kdsl_arg_ptr(y, KDSL_F32),
 *                      kdsl_arg_ptr(out, KDSL_F32), kdsl_arg_int(n)};
 *   kdsl_launch(kernel, args, 4, NULL, NULL);
 *
 *===----------------------------------------------------------------------===*/

#ifndef KDSL_RUNTIME_H
#define KDSL_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { KDSL_OK = 0, KDSL_ERROR = 1 };

/* Element types; the values match kdsl::rt::DType. */
typedef enum {
  KDSL_UNKNOWN = 0,
  KDSL_BOOL,
  KDSL_I8,
  KDSL_I16,
  KDSL_I32,
  KDSL_I64,
  KDSL_F16,
  KDSL_BF16,
  KDSL_F32,
  KDSL_F64
} kdsl_dtype;

typedef struct kdsl_bundle kdsl_bundle;
typedef struct kdsl_kernel kdsl_kernel; /* owned by its bundle */
typedef struct kdsl_stream kdsl_stream;
typedef uint64_t kdsl_devptr;

typedef enum {
  KDSL_ARG_POINTER = 0,
  KDSL_ARG_INT,
  KDSL_ARG_FLOAT
} kdsl_arg_kind;

typedef struct {
  kdsl_arg_kind kind;
  kdsl_dtype type; /* pointee type of a pointer; KDSL_UNKNOWN: unchecked */
  union {
    kdsl_devptr pointer;
    int64_t integer;
    double real;
  } value;
} kdsl_arg;

kdsl_arg kdsl_arg_ptr(kdsl_devptr pointer, kdsl_dtype element_type);
kdsl_arg kdsl_arg_int(int64_t value);
kdsl_arg kdsl_arg_float(double value);

/* The message of the calling thread's last failure ("" if none). */
const char *kdsl_last_error(void);

/* 1 when a CUDA driver and a device are usable, else 0 (never fails). */
int kdsl_driver_available(void);
/* The GPU's name and compute capability (major * 10 + minor). */
int kdsl_device_info(char *name, size_t name_size, int *compute_capability);
int kdsl_synchronize(void);

int kdsl_malloc(size_t bytes, kdsl_devptr *pointer);
int kdsl_free(kdsl_devptr pointer);
int kdsl_memcpy_htod(kdsl_devptr dst, const void *src, size_t bytes);
int kdsl_memcpy_dtoh(void *dst, kdsl_devptr src, size_t bytes);

int kdsl_stream_create(kdsl_stream **stream);
int kdsl_stream_synchronize(kdsl_stream *stream);
void kdsl_stream_destroy(kdsl_stream *stream);

int kdsl_bundle_open(const char *path, kdsl_bundle **bundle);
/* A bundle embedded in the program (kdslc --emit=c-header); the bytes are
 * copied. */
int kdsl_bundle_open_memory(const void *bytes, size_t size, const char *name,
                            kdsl_bundle **bundle);
void kdsl_bundle_close(kdsl_bundle *bundle);
int kdsl_bundle_kernel(kdsl_bundle *bundle, const char *name,
                       kdsl_kernel **kernel);

/* Launches `kernel`. `config` is NULL or "BLOCK=256,num_warps=4"; `stream`
 * is NULL for the default stream. The grid comes from the kernel's grid
 * expression. */
int kdsl_launch(kdsl_kernel *kernel, const kdsl_arg *args, size_t num_args,
                const char *config, kdsl_stream *stream);
/* The tuning cache (tune.db) launches consult for kernels with an @autotune
 * space: a path, or "" for none; NULL restores the default
 * ($KDSL_CACHE_DIR/tune.db, else $XDG_CACHE_HOME/kdsl/tune.db, else
 * ~/.cache/kdsl/tune.db). Call it before launching. A corrupt or foreign
 * file makes the next launch of a tuned kernel fail, naming the file. */
int kdsl_set_tuning_cache(const char *path);

/* As kdsl_launch, with an explicit grid. */
int kdsl_launch_grid(kdsl_kernel *kernel, const kdsl_arg *args, size_t num_args,
                     const char *config, kdsl_stream *stream, uint32_t grid_x,
                     uint32_t grid_y, uint32_t grid_z);

#ifdef __cplusplus
}
#endif

#endif /* KDSL_RUNTIME_H */
