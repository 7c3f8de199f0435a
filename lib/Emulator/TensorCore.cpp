//===- TensorCore.cpp - mma.sync and ldmatrix as the PTX ISA defines them -===//
//
// Each function transcribes one of the ISA's fragment tables; the comments
// quote them. Element i of a fragment is ai (bi, ci) in the ISA's figures:
// register r holds elements r * (4 / elementBytes) onwards, low bytes first.
//
//===----------------------------------------------------------------------===//

#include "TensorCore.h"

using namespace kdsl::emulator;

int MmaKind::elementBytes() const {
  switch (input) {
  case MmaInput::F16:
  case MmaInput::BF16:
    return 2;
  case MmaInput::TF32:
    return 4;
  case MmaInput::S8:
  case MmaInput::U8:
    return 1;
  }
  return 0;
}

std::optional<MmaKind> kdsl::emulator::mmaKindFor(int m, int n, int k,
                                                  MmaInput input,
                                                  std::string &why) {
  int want;
  switch (input) {
  case MmaInput::F16:
  case MmaInput::BF16:
    want = 16;
    break;
  case MmaInput::TF32:
    want = 8;
    break;
  case MmaInput::S8:
  case MmaInput::U8:
    want = 32;
    break;
  }
  if (m != 16 || n != 8 || k != want) {
    why = "the emulator runs m16n8k" + std::to_string(want) +
          " for this type, not m" + std::to_string(m) + "n" +
          std::to_string(n) + "k" + std::to_string(k);
    return std::nullopt;
  }
  return MmaKind{input, m, n, k};
}

Position kdsl::emulator::mmaFragmentA(const MmaKind &kind, int lane, int i) {
  int groupID = lane >> 2, threadID_in_group = lane % 4;
  switch (kind.input) {
  case MmaInput::F16:
  case MmaInput::BF16:
    // m16n8k16, .f16/.bf16 A: row = groupID for a0, a1, a4, a5 and
    // groupID + 8 for a2, a3, a6, a7; col = threadID_in_group * 2 + (i & 0x1)
    // for ai with i < 4, and that + 8 for i >= 4.
    return {(i < 2 || (i >= 4 && i < 6)) ? groupID : groupID + 8,
            threadID_in_group * 2 + (i & 0x1) + (i < 4 ? 0 : 8)};
  case MmaInput::TF32:
    // m16n8k8, .tf32 A: row = groupID for a0 and a2, groupID + 8 for a1 and
    // a3; col = threadID_in_group for a0 and a1, threadID_in_group + 4 for
    // a2 and a3.
    return {(i == 0 || i == 2) ? groupID : groupID + 8,
            (i < 2) ? threadID_in_group : threadID_in_group + 4};
  case MmaInput::S8:
  case MmaInput::U8:
    // m16n8k32, .s8/.u8 A: row = groupID for ai with 0 <= i < 4 or
    // 8 <= i < 12, groupID + 8 otherwise; col = threadID_in_group * 4 +
    // (i & 0x3) for i < 8, and that + 16 for i >= 8.
    return {(i < 4 || (i >= 8 && i < 12)) ? groupID : groupID + 8,
            threadID_in_group * 4 + (i & 0x3) + (i < 8 ? 0 : 16)};
  }
  return {0, 0};
}

Position kdsl::emulator::mmaFragmentB(const MmaKind &kind, int lane, int i) {
  int groupID = lane >> 2, threadID_in_group = lane % 4;
  switch (kind.input) {
  case MmaInput::F16:
  case MmaInput::BF16:
    // m16n8k16, .f16/.bf16 B: row = threadID_in_group * 2 + (i & 0x1) for
    // bi with i < 2, and that + 8 for i >= 2; col = groupID.
    return {threadID_in_group * 2 + (i & 0x1) + (i < 2 ? 0 : 8), groupID};
  case MmaInput::TF32:
    // m16n8k8, .tf32 B: row = threadID_in_group for b0,
    // threadID_in_group + 4 for b1; col = groupID.
    return {i == 0 ? threadID_in_group : threadID_in_group + 4, groupID};
  case MmaInput::S8:
  case MmaInput::U8:
    // m16n8k32, .s8/.u8 B: row = threadID_in_group * 4 + (i & 0x3) for bi
    // with i < 4, and that + 16 for i >= 4; col = groupID.
    return {threadID_in_group * 4 + (i & 0x3) + (i < 4 ? 0 : 16), groupID};
  }
  return {0, 0};
}

Position kdsl::emulator::mmaFragmentC(int lane, int i) {
  // m16n8 C and D (every type): row = groupID for c0 and c1, groupID + 8 for
  // c2 and c3; col = threadID_in_group * 2 + (i & 0x1).
  int groupID = lane >> 2, threadID_in_group = lane % 4;
  return {i < 2 ? groupID : groupID + 8, threadID_in_group * 2 + (i & 0x1)};
}

Position kdsl::emulator::ldmatrixSource(int lane, int e, bool transpose) {
  // ldmatrix .m8n8 .b16: of each 8x8 matrix, lane l receives row l / 4,
  // elements 2 * (l % 4) and 2 * (l % 4) + 1. With .trans the matrix is
  // delivered transposed: those positions of the transpose.
  int row = lane / 4, col = 2 * (lane % 4) + e;
  if (transpose)
    return {col, row};
  return {row, col};
}
