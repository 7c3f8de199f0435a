/*===- CApiTest.c - The runtime's C API, from C ---------------------------===*
 *
 * Opens the test bundle, checks the C API's errors, and, with a GPU, runs
 * vector_add. Without a driver it must report "no CUDA driver found" from
 * the first GPU call and exit 0 (the check passed); any other failure exits 1.
 *
 *   kdsl-capi-test BUNDLE.kpack
 *
 *===----------------------------------------------------------------------===*/

#include "kdsl/runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define EXPECT(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: expected %s (last error: %s)\n", __FILE__,       \
              __LINE__, #cond, kdsl_last_error());                             \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

int main(int argc, char **argv) {
  kdsl_bundle *bundle = NULL;
  kdsl_kernel *kernel = NULL;
  if (argc != 2) {
    fprintf(stderr, "usage: kdsl-capi-test BUNDLE.kpack\n");
    return 1;
  }
  EXPECT(kdsl_bundle_open("/nonexistent.kpack", &bundle) == KDSL_ERROR);
  EXPECT(strstr(kdsl_last_error(), "no such file") != NULL);
  EXPECT(kdsl_bundle_open(argv[1], &bundle) == KDSL_OK);
  EXPECT(kdsl_bundle_kernel(bundle, "nope", &kernel) == KDSL_ERROR);
  EXPECT(strstr(kdsl_last_error(), "has no kernel 'nope'") != NULL);
  EXPECT(kdsl_bundle_kernel(bundle, "vector_add", &kernel) == KDSL_OK);
  EXPECT(kdsl_set_tuning_cache("") == KDSL_OK);
  EXPECT(kdsl_set_tuning_cache(NULL) == KDSL_OK);

  if (!kdsl_driver_available()) {
    kdsl_devptr p;
    EXPECT(kdsl_malloc(64, &p) == KDSL_ERROR);
    EXPECT(strstr(kdsl_last_error(), "no CUDA driver found") != NULL);
    printf("no GPU: %s\n", kdsl_last_error());
  } else {
    enum { N = 100003 };
    static float x[N], y[N], out[N];
    kdsl_devptr dx, dy, dout;
    char name[128];
    int cc = 0;
    for (int i = 0; i < N; ++i) {
      x[i] = (float)(rand() % 100000) / 50000.0f - 1.0f;
      y[i] = (float)(rand() % 100000) / 50000.0f - 1.0f;
      out[i] = NAN;
    }
    EXPECT(kdsl_device_info(name, sizeof name, &cc) == KDSL_OK);
    EXPECT(kdsl_malloc(sizeof x, &dx) == KDSL_OK);
    EXPECT(kdsl_malloc(sizeof y, &dy) == KDSL_OK);
    EXPECT(kdsl_malloc(sizeof out, &dout) == KDSL_OK);
    EXPECT(kdsl_memcpy_htod(dx, x, sizeof x) == KDSL_OK);
    EXPECT(kdsl_memcpy_htod(dy, y, sizeof y) == KDSL_OK);
    EXPECT(kdsl_memcpy_htod(dout, out, sizeof out) == KDSL_OK);
    kdsl_arg args[4];
    args[0] = kdsl_arg_ptr(dx, KDSL_F32);
    args[1] = kdsl_arg_ptr(dy, KDSL_F32);
    args[2] = kdsl_arg_ptr(dout, KDSL_F32);
    args[3] = kdsl_arg_int(N);
    EXPECT(kdsl_launch(kernel, args, 3, NULL, NULL) == KDSL_ERROR);
    EXPECT(strstr(kdsl_last_error(), "expects 4 arguments") != NULL);
    EXPECT(kdsl_launch(kernel, args, 4, "BLOCK=7", NULL) == KDSL_ERROR);
    EXPECT(strstr(kdsl_last_error(), "no variant for BLOCK=7") != NULL);
    kdsl_stream *stream = NULL;
    EXPECT(kdsl_stream_create(&stream) == KDSL_OK);
    EXPECT(kdsl_launch(kernel, args, 4, "BLOCK=1024", stream) == KDSL_OK);
    EXPECT(kdsl_stream_synchronize(stream) == KDSL_OK);
    kdsl_stream_destroy(stream);
    EXPECT(kdsl_memcpy_dtoh(out, dout, sizeof out) == KDSL_OK);
    for (int i = 0; i < N; ++i)
      if (!(out[i] == x[i] + y[i])) {
        fprintf(stderr, "out[%d] = %g, expected %g\n", i, out[i], x[i] + y[i]);
        ++failures;
        break;
      }
    EXPECT(kdsl_free(dx) == KDSL_OK && kdsl_free(dy) == KDSL_OK &&
           kdsl_free(dout) == KDSL_OK);
    EXPECT(kdsl_free(dx) == KDSL_ERROR);
    printf("vector_add through the C API on %s (sm_%d)\n", name, cc);
  }
  kdsl_bundle_close(bundle);
  printf(failures ? "FAIL: %d checks failed\n" : "PASS\n", failures);
  return failures ? 1 : 0;
}
