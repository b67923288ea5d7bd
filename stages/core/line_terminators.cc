#include "stages/core/line_terminators.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace logstream {
namespace {

#if defined(__x86_64__)
const char* find_line_end_sse2(const char* p, const char* end) noexcept {
  const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  while (end - p >= 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned hits = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(block, lf), _mm_cmpeq_epi8(block, cr))));
    if (hits != 0) return p + __builtin_ctz(hits);
    p += 16;
  }
  while (p < end && *p != '\n' && *p != '\r') ++p;
  return p;
}

__attribute__((target("avx2"))) const char* find_line_end_avx2(const char* p, const char* end) noexcept {
  const __m256i lf = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r');
  while (end - p >= 32) {
    const __m256i block = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const unsigned hits = static_cast<unsigned>(
        _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(block, lf), _mm256_cmpeq_epi8(block, cr))));
    if (hits != 0) return p + __builtin_ctz(hits);
    p += 32;
  }
  return find_line_end_sse2(p, end);
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2");
#endif

}  // namespace

const char* find_line_end(const char* begin, const char* end) noexcept {
#if defined(__x86_64__)
  return kHasAvx2 ? find_line_end_avx2(begin, end) : find_line_end_sse2(begin, end);
#else
  return find_line_terminator(begin, end);
#endif
}

}  // namespace logstream
