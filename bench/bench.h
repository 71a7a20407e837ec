// Helpers shared by the benchmarks: a rate measured over a fixed time, and printing ratios.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace ipcfs::bench {

// Runs OP repeatedly for about SECONDS (after a short warm-up); returns operations per second.
// OP returns false on failure, which aborts the measurement (rate 0).
template <class Op>
double rate(Op op, double seconds = 1.0) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < 100; ++i)
    if (!op()) return 0;
  long n = 0;
  auto start = Clock::now();
  auto end = start + std::chrono::duration<double>(seconds);
  auto now = start;
  while (now < end) {
    for (int i = 0; i < 64; ++i, ++n)
      if (!op()) return 0;
    now = Clock::now();
  }
  return double(n) / std::chrono::duration<double>(now - start).count();
}

// Rates of A and B measured alternately in ROUNDS short slices, so that the machine's drift
// hits both alike. Returns the medians {a, b, median of a/b per round}.
struct Paired {
  double a = 0, b = 0, ratio = 0;
};
template <class OpA, class OpB>
Paired paired(OpA a, OpB b, double seconds, int rounds = 7) {
  std::vector<double> ra, rb, rr;
  for (int i = 0; i < rounds; ++i) {
    ra.push_back(rate(a, seconds / rounds));
    rb.push_back(rate(b, seconds / rounds));
    rr.push_back(rb.back() > 0 ? ra.back() / rb.back() : 0);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  return {median(ra), median(rb), median(rr)};
}

inline void row(const std::string& what, double ops) {
  std::printf("%-58s %12.0f ops/s\n", what.c_str(), ops);
}

inline void ratio(const std::string& what, double r, double target) {
  std::printf("%-58s %11.2fx  (target >= %.2fx) %s\n", what.c_str(), r, target,
              r >= target ? "ok" : "BELOW TARGET");
}

}  // namespace ipcfs::bench
