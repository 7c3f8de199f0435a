/*===- CHeaderTest.c - A header from kdslc --emit=c-header, used from C ---===*
 *
 * vector_add.h embeds the vector_add bundle and declares
 * kdsl_launch_vector_add(); this program launches it like an application.
 * Without a driver the launch must fail with "no CUDA driver found" (the
 * check passes); with a GPU the sum must be right.
 *
 *===----------------------------------------------------------------------===*/

#include "vector_add.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  enum { N = 100003 };
  static float x[N], y[N], out[N];
  kdsl_devptr dx, dy, dout;
  if (!kdsl_driver_available()) {
    int status = kdsl_launch_vector_add(NULL, NULL, 0, 0, 0, N);
    if (status == KDSL_ERROR &&
        strstr(kdsl_last_error(), "no CUDA driver found")) {
      printf("PASS (no GPU): %s\n", kdsl_last_error());
      return 0;
    }
    printf("FAIL: expected the missing driver, got: %s\n", kdsl_last_error());
    return 1;
  }
  for (int i = 0; i < N; ++i) {
    x[i] = (float)(i % 1000) / 7.0f;
    y[i] = (float)(i % 333) / 3.0f;
    out[i] = NAN;
  }
  if (kdsl_malloc(sizeof x, &dx) || kdsl_malloc(sizeof y, &dy) ||
      kdsl_malloc(sizeof out, &dout) || kdsl_memcpy_htod(dx, x, sizeof x) ||
      kdsl_memcpy_htod(dy, y, sizeof y) ||
      kdsl_memcpy_htod(dout, out, sizeof out) ||
      kdsl_launch_vector_add(NULL, NULL, dx, dy, dout, N) ||
      kdsl_launch_vector_add(NULL, "BLOCK=1024,num_warps=4", dx, dy, dout, N) ||
      kdsl_synchronize() || kdsl_memcpy_dtoh(out, dout, sizeof out)) {
    printf("FAIL: %s\n", kdsl_last_error());
    return 1;
  }
  for (int i = 0; i < N; ++i)
    if (!(out[i] == x[i] + y[i])) {
      printf("FAIL: out[%d] = %g, expected %g\n", i, out[i], x[i] + y[i]);
      return 1;
    }
  printf("PASS: vector_add through the generated header\n");
  return 0;
}
