// bench-qsmall: the quantized small kernels (qsmall-config.h) of every ISA this CPU runs against
// the scalar twins, single thread.
//
//   bench-qsmall [--rounds N]
//
// Cases: quantize f32 -> u8, dequantize u8 -> f32, requantize u8 -> u8, quantized add (u8, same
// shapes), the 256-entry lookup, each on 64 Ki elements (inputs and outputs stay in L2); u8 max
// pooling 3x3 stride 2 pad 1 on a 64 x 112 x 112 tensor (the pooling op's whole loop); global
// average pooling of 1280 planes of 7 x 7. A sample repeats one call for >= 10 ms of this thread's
// CPU time; the (case, ISA) pairs are measured round robin, one sample each per round, and the
// median over the rounds is reported with elements per cycle (the clock measured in the same run)
// and the ratio to scalar. Each ISA's output is compared with the scalar one before timing.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "../../config/qsmall-config.h"
#include "../../ops/pool-q8.h"
#include "../bench-clock.h"

using namespace i8k;

namespace {

constexpr double kMinSampleSeconds = 0.01;
constexpr size_t kN = 65536;

struct Buffers {
  std::vector<float> xf, yf;
  std::vector<uint8_t> a, b, y, table;
  Buffers() : xf(kN), yf(kN), a(64 * 112 * 112), b(kN), y(64 * 112 * 112), table(256) {
    std::mt19937 rng(7);
    for (auto& v : xf) v = std::uniform_real_distribution<float>(-10.0f, 10.0f)(rng);
    for (auto& v : a) v = uint8_t(rng());
    for (auto& v : b) v = uint8_t(rng());
    for (auto& v : table) v = uint8_t(rng());
  }
};

struct Case {
  const char* name;
  size_t elements;  // outputs per call (elements / cycle counts these)
  std::function<void(const QSmallConfig&, Buffers&)> run;
  std::function<std::vector<uint8_t>(const Buffers&)> output;
};

std::vector<Case> cases() {
  auto bytes_y = [](size_t n) { return [n](const Buffers& b) { return std::vector<uint8_t>(b.y.begin(), b.y.begin() + n); }; };
  auto bytes_yf = [](const Buffers& b) {
    std::vector<uint8_t> v(b.yf.size() * 4);
    std::memcpy(v.data(), b.yf.data(), v.size());
    return v;
  };
  const Pool2DShape mp{64, 112, 112, 56, 56, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1};
  return {
      {"quantize f32->u8", kN, [](const QSmallConfig& c, Buffers& b) { c.vcvt->quantize_u8(kN, b.xf.data(), b.y.data(), {0.05f, 128.0f}); }, bytes_y(kN)},
      {"dequantize u8->f32", kN, [](const QSmallConfig& c, Buffers& b) { c.vcvt->dequantize_u8(kN, b.a.data(), b.yf.data(), {0.05f, 128.0f}); }, bytes_yf},
      {"requantize u8->u8", kN, [](const QSmallConfig& c, Buffers& b) { c.vcvt->requantize_u8(kN, b.a.data(), b.y.data(), {0.7f, 128.0f, 120.0f}); }, bytes_y(kN)},
      {"qadd u8 (vv)", kN, [](const QSmallConfig& c, Buffers& b) { c.vbinary->u8.add_vv(kN, b.a.data(), b.b.data(), b.y.data(), {128.0f, 0.6f, 120.0f, 0.5f, 125.0f}); }, bytes_y(kN)},
      {"lut u8", kN, [](const QSmallConfig& c, Buffers& b) { c.lut->lut(kN, b.a.data(), b.table.data(), b.y.data()); }, bytes_y(kN)},
      {"maxpool u8 3x3 s2 64x112x112", 64 * 56 * 56, [mp](const QSmallConfig& c, Buffers& b) { q8_max_pool2d(c.pool->u8, c.pool->even, mp, b.a.data(), b.y.data(), RunContext{}); }, bytes_y(64 * 56 * 56)},
      {"global avgpool u8 1280x7x7", 1280 * 49, [](const QSmallConfig& c, Buffers& b) { c.pool->u8.gavg(1280, 49, b.a.data(), b.y.data(), {128, 0.9f / 49.0f, 120.0f}); }, bytes_y(1280)},
  };
}

double sample(const Case& k, const QSmallConfig& c, Buffers& b) {
  size_t reps = 0;
  const double t0 = bench::thread_seconds();
  double t;
  do {
    k.run(c, b);
    reps++;
  } while ((t = bench::thread_seconds() - t0) < kMinSampleSeconds);
  return t / double(reps);
}

}  // namespace

int main(int argc, char** argv) {
  size_t rounds = 9;
  for (int i = 1; i < argc; i++)
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = size_t(std::atoi(argv[++i]));
  std::vector<Isa> isas;
  for (Isa isa : all_isas())
    if (isa_unsupported_reason(isa).empty() && (isa == Isa::scalar || qsmall_config(isa).vcvt != qsmall_config(Isa::scalar).vcvt))
      isas.push_back(isa);
  const double hz = bench::calibrate_hz();
  std::printf("bench-qsmall: %zu rounds, clock %.2f GHz (measured), single thread\n", rounds, hz / 1e9);
  Buffers b;
  const std::vector<Case> cs = cases();
  // Every ISA's output against scalar first.
  for (const Case& k : cs) {
    k.run(qsmall_config(Isa::scalar), b);
    const std::vector<uint8_t> want = k.output(b);
    for (Isa isa : isas) {
      k.run(qsmall_config(isa), b);
      if (k.output(b) != want) {
        std::printf("FAIL: %s on %s differs from scalar\n", k.name, isa_name(isa));
        return 1;
      }
    }
  }
  std::vector<std::vector<std::vector<double>>> t(cs.size(), std::vector<std::vector<double>>(isas.size()));
  for (size_t r = 0; r < rounds; r++)
    for (size_t i = 0; i < cs.size(); i++)
      for (size_t j = 0; j < isas.size(); j++) t[i][j].push_back(sample(cs[i], qsmall_config(isas[j]), b));
  std::printf("%-30s %-13s %12s %10s %9s\n", "case", "isa", "Melem/s", "elem/cyc", "x scalar");
  for (size_t i = 0; i < cs.size(); i++) {
    double scalar_s = 0;
    for (size_t j = 0; j < isas.size(); j++) {
      std::vector<double>& v = t[i][j];
      std::sort(v.begin(), v.end());
      const double med = v[v.size() / 2];
      if (j == 0) scalar_s = med;
      const double eps = double(cs[i].elements) / med;
      std::printf("%-30s %-13s %12.0f %10.2f %9.2f\n", cs[i].name, isa_name(isas[j]), eps / 1e6, hz ? eps / hz : 0.0, scalar_s / med);
    }
  }
  return 0;
}
