// DynamicQuantizeLinear kernels (f32-qu8-dynamic): range and codes bit-exact against the scalar
// twin (the twin against the definition), on lengths around every vector width, with NaN,
// infinities, signed zeros, exact ties and saturating values, every input in a guarded buffer.
#include "harness.h"

#include "../config/dynquant-config.h"

using namespace i8k;
using namespace i8k_test;

namespace {

float special() {
  return pick({NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e30f, -1e30f});
}

void suite(Isa isa, const KernelConfig&, const KernelConfig&) {
  const DynQuantConfig& k = dynquant_config(isa);
  const DynQuantConfig& ref = dynquant_config(Isa::scalar);
  const bool is_scalar = &k == &ref;
  for (size_t n = 0; n <= 300; n += n < 80 ? 1 : 37) {
    std::vector<float> xs(n);
    const float scale = pick({0.5f, 0.1f, 1.0f / 255.0f, frand(0.01f, 2.0f)});
    for (auto& v : xs) {
      // Exact ties of x / scale for the power-of-two scales, and some special values.
      v = irand(0, 9) == 0 ? special() : irand(0, 2) == 0 ? float(irand(-600, 600)) * 0.25f : frand(-100.0f, 100.0f);
    }
    // Guarded(vector) copies with memcpy, which must not see the null data of an empty vector.
    const Guarded x(n * sizeof(float));
    if (n) std::memcpy(x.as<float>(), xs.data(), n * sizeof(float));
    std::snprintf(g_case, sizeof g_case, "%s minmax n=%zu", k.name, n);
    float lo = INFINITY, hi = -INFINITY, rlo = INFINITY, rhi = -INFINITY;
    k.minmax(n, x.as<float>(), &lo, &hi);
    if (is_scalar) {
      for (float v : xs)
        if (!std::isnan(v)) rlo = std::min(rlo, v), rhi = std::max(rhi, v);
    } else {
      ref.minmax(n, x.as<float>(), &rlo, &rhi);
    }
    record(lo == rlo && hi == rhi, std::string(g_case) + ": [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                       "], expected [" + std::to_string(rlo) + ", " + std::to_string(rhi) + "]");

    const float zp = float(pick({0, 128, 255, irand(0, 255)}));
    std::snprintf(g_case, sizeof g_case, "%s quantize n=%zu scale=%g zp=%g", k.name, n, scale, zp);
    const Guarded y(n);
    k.quantize(n, x.as<float>(), scale, zp, y.as<uint8_t>());
    std::string err;
    for (size_t i = 0; i < n && err.empty(); i++) {
      const double q = std::nearbyint(double(float(xs[i] / scale))) + zp;  // float32 division, then exact
      const int want = std::isnan(q) ? 0 : int(std::min(255.0, std::max(0.0, q)));
      if (y.as<uint8_t>()[i] != want)
        err = "y[" + std::to_string(i) + "] = " + std::to_string(y.as<uint8_t>()[i]) + " for x = " + std::to_string(xs[i]) +
              ", expected " + std::to_string(want);
    }
    record(err.empty(), std::string(g_case) + ": " + err);
  }
}
}  // namespace
I8K_KERNEL_SUITE(f32_qu8_dynamic, suite);
