// Helpers shared by the benchmarks: a rate measured over a fixed time, and printing ratios.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ipcfs::bench {

// Inter-processor interrupts so far, all CPUs (/proc/interrupts RES and CAL): each is a wake-up
// of a task on another CPU. On a VM whose idle vCPUs halt, each costs tens of microseconds, and
// how many a FUSE round trip takes is the scheduler's choice: it decides most of the time.
inline long ipis() {
  std::ifstream f("/proc/interrupts");
  long total = 0;
  for (std::string line; std::getline(f, line);) {
    std::istringstream in(line);
    std::string tag;
    in >> tag;
    if (tag != "RES:" && tag != "CAL:") continue;
    for (long n; in >> n;) total += n;
  }
  return total;
}

// Operations per second of a run, and the IPIs machine-wide per operation meanwhile.
struct Run {
  double rate = 0;
  double ipis = 0;
};

// Runs OP repeatedly for about SECONDS (after a short warm-up). OP returns false on failure,
// which aborts the measurement (rate 0).
template <class Op>
Run run(Op op, double seconds = 1.0) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < 100; ++i)
    if (!op()) return {};
  long n = 0;
  long ipis0 = ipis();
  auto start = Clock::now();
  auto end = start + std::chrono::duration<double>(seconds);
  auto now = start;
  while (now < end) {
    for (int i = 0; i < 64; ++i, ++n)
      if (!op()) return {};
    now = Clock::now();
  }
  return {double(n) / std::chrono::duration<double>(now - start).count(),
          double(ipis() - ipis0) / double(n)};
}

// Operations per second of OP, run for about SECONDS.
template <class Op>
double rate(Op op, double seconds = 1.0) {
  return run(op, seconds).rate;
}

// Rates of A and B measured alternately in ROUNDS short slices, so that the machine's drift
// hits both alike. Returns the medians {a, b, median of a/b per round, IPIs per operation}.
struct Paired {
  double a = 0, b = 0, ratio = 0;
  double ipis_a = 0, ipis_b = 0;
};
template <class OpA, class OpB>
Paired paired(OpA a, OpB b, double seconds, int rounds = 7) {
  std::vector<double> ra, rb, rr, ia, ib;
  for (int i = 0; i < rounds; ++i) {
    Run x = run(a, seconds / rounds);
    Run y = run(b, seconds / rounds);
    ra.push_back(x.rate);
    rb.push_back(y.rate);
    rr.push_back(y.rate > 0 ? x.rate / y.rate : 0);
    ia.push_back(x.ipis);
    ib.push_back(y.ipis);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  return {median(ra), median(rb), median(rr), median(ia), median(ib)};
}

inline void row(const std::string& what, double ops) {
  std::printf("%-58s %12.0f ops/s\n", what.c_str(), ops);
}

inline void row_ipis(const std::string& what, double ops, double ipis) {
  std::printf("%-58s %12.0f ops/s  %5.2f IPIs/op\n", what.c_str(), ops, ipis);
}

inline void ratio(const std::string& what, double r, double target) {
  std::printf("%-58s %11.2fx  (target >= %.2fx) %s\n", what.c_str(), r, target,
              r >= target ? "ok" : "BELOW TARGET");
}

}  // namespace ipcfs::bench
