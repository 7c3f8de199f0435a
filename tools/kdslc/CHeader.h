//===- CHeader.h - kdslc --emit=c-header ------------------------*- C++ -*-===//

#ifndef KDSL_TOOLS_KDSLC_CHEADER_H
#define KDSL_TOOLS_KDSLC_CHEADER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace kdsl {

/// Compiles the bundle as --emit=kpack does and writes a C header that
/// embeds it and declares one typed launch function per kernel,
/// `kdsl_launch_NAME(stream, args...)`, going through the runtime's C API
/// (so the runtime still chooses the variant: @config, the first valid
/// config, the align16 specialization) to `os`; `shownAs` names where it
/// goes in the summary line. Returns the exit status.
int emitCHeader(mlir::ModuleOp module, llvm::StringRef input,
                llvm::ArrayRef<std::string> configEntries,
                llvm::StringRef shownAs, llvm::raw_ostream &os);

} // namespace kdsl

#endif // KDSL_TOOLS_KDSLC_CHEADER_H
