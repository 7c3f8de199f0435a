//===- TensorCore.h - mma.sync and ldmatrix as the PTX ISA defines them ---===//
//
// The warp-wide matrix instructions' data movement, written from the PTX ISA
// (9.7.14.5.x "Matrix Fragments for mma.m16n8k*" and 9.7.14.5.15 "ldmatrix")
// and from nothing in the lowering, so that a wrong fragment mapping in one
// is caught by the other. Lanes are 0..31; groupID = lane / 4 and
// threadID_in_group = lane % 4, as the ISA names them.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_LIB_EMULATOR_TENSORCORE_H
#define KDSL_LIB_EMULATOR_TENSORCORE_H

#include <cstdint>
#include <optional>
#include <string>

namespace kdsl::emulator {

/// The multiplicand types of the mma.sync shapes the emulator runs.
enum class MmaInput { F16, BF16, TF32, S8, U8 };

/// One mma.sync shape and multiplicand type: m16n8k16 for f16 and bf16,
/// m16n8k8 for tf32, m16n8k32 for s8 and u8.
struct MmaKind {
  MmaInput input;
  int m = 16, n = 8, k;
  /// Bytes of one multiplicand element in a register (tf32 takes 4).
  int elementBytes() const;
  /// Elements of A (of B) each lane holds: m * k / 32 (k * n / 32).
  int aElements() const { return m * k / 32; }
  int bElements() const { return k * n / 32; }
};

/// The kind for a shape and multiplicand type, or nullopt (with `why`) when
/// the emulator does not run it.
std::optional<MmaKind> mmaKindFor(int m, int n, int k, MmaInput input,
                                  std::string &why);

/// A position in a matrix.
struct Position {
  int row, col;
};

/// Where element `i` of lane `lane`'s A fragment sits in the m x k matrix A.
Position mmaFragmentA(const MmaKind &kind, int lane, int i);
/// Where element `i` of lane `lane`'s B fragment sits in the k x n matrix B.
Position mmaFragmentB(const MmaKind &kind, int lane, int i);
/// Where element `i` (0..3) of lane `lane`'s C or D fragment sits in the
/// 16 x 8 accumulator (the same for every m16n8 shape and type).
Position mmaFragmentC(int lane, int i);

/// ldmatrix .m8n8 .b16: which row (of the 8 whose addresses lanes 8j..8j+7
/// supply for matrix j) and which 16-bit element of it lands in element `e`
/// (0 or 1) of lane `lane`'s register for each matrix; with `.trans` the
/// matrix is delivered transposed.
Position ldmatrixSource(int lane, int e, bool transpose);

} // namespace kdsl::emulator

#endif // KDSL_LIB_EMULATOR_TENSORCORE_H
