#include "stages/core/line_terminators.h"

#include "stages/core/byte_search.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace logstream {
namespace {

#if defined(__x86_64__)
__attribute__((target("avx2"))) const char* find_line_end_avx2(const char* p, const char* end) noexcept {
  const __m256i lf = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r');
  while (end - p >= 32) {
    const __m256i block = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const unsigned hits = static_cast<unsigned>(
        _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(block, lf), _mm256_cmpeq_epi8(block, cr))));
    if (hits != 0) return p + __builtin_ctz(hits);
    p += 32;
  }
  return find_byte_or_line_end(p, end, '\n');  // the last bytes, 16 at a time
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2");
#endif

}  // namespace

const char* find_line_end(const char* begin, const char* end) noexcept {
#if defined(__x86_64__)
  return kHasAvx2 ? find_line_end_avx2(begin, end) : find_byte_or_line_end(begin, end, '\n');
#else
  return find_line_terminator(begin, end);
#endif
}

}  // namespace logstream
