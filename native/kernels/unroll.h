// Compile-time unrolling for microkernels whose lane numbers and row counts must be constants.
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

namespace i8k {

// f(integral_constant<I>) for I = 0..N-1, expanded at compile time: lane numbers must be
// immediates, and constant indices let the compiler keep accumulator arrays in registers.
template <typename F, size_t... I>
inline void unroll(F&& f, std::index_sequence<I...>) {
  (f(std::integral_constant<size_t, I>{}), ...);
}
template <size_t N, typename F>
inline void unroll(F&& f) {
  unroll(f, std::make_index_sequence<N>{});
}

// f(integral_constant<mr>) for the runtime row count mr in 1..MR: each edge tile runs an instance
// compiled for exactly its rows, so rows >= mr are never addressed. Other mr values do nothing.
template <size_t MR, typename F>
inline void with_rows(size_t mr, F&& f) {
  unroll<MR>([&](auto i) {
    if (mr == i + 1) f(std::integral_constant<size_t, i + 1>{});
  });
}

}  // namespace i8k
