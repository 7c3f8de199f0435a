# -*- Python -*-
# lit configuration for kdsl, after LLVM's mlir/examples/standalone.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "KDSL"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".kdsl", ".test"]
config.excludes = [
    "Inputs",
    "CMakeLists.txt",
    "lit.cfg.py",
    "lit.site.cfg.py",
    "README.md",
]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kdsl_obj_root, "test", "lit")

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# Every capture in a CHECK is scoped to its CHECK-LABEL block.
config.environment["FILECHECK_OPTS"] = "--enable-var-scope"

# FileCheck, not and count from the installed LLVM; kdsl-opt, kdslc from here.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.kdsl_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["kdsl-opt", "kdslc", "kdsl-npy", "kdsl-launch"], tool_dirs)
# Scripts under Inputs/ run the tools by name.
llvm_config.with_environment("PATH", config.kdsl_tools_dir, append_path=True)

config.substitutions.append(
    ("%examples", os.path.join(config.kdsl_src_root, "examples", "kernels"))
)

# ptxas (the CUDA toolkit's) checks what the back end emits; tests that need
# it say `REQUIRES: ptxas`.
ptxas = os.environ.get("KDSL_PTXAS") or (
    "/usr/local/cuda/bin/ptxas" if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# A CUDA driver that runs nothing (test/runtime/FakeCuda.cpp): kdslc tune and
# tuned launches end to end without a GPU, with KDSL_CUDA_DRIVER=%fakecuda.
config.substitutions.append(
    ("%fakecuda", os.path.join(config.kdsl_obj_root, "test", "runtime",
                               "libkdsl-fake-cuda.so"))
)
