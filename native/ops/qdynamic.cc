#include "qdynamic.h"
#include <vector>
#include "dynamic-quantize.h"

namespace i8k {

void QDynamicMatMul::run(const QPackedB& b, const float* a, const QDynamicParams& p, float* y, void* workspace,
                         const RunContext& ctx) const {
  if (m_ == 0 || n_ == 0) return;
  uint8_t* codes = static_cast<uint8_t*>(workspace);
  float a_scale = 1.0f;  // an empty A's range is empty: DynamicQuantizeLinear's scale 1
  uint8_t a_zp = 0;
  if (k_ > 0) dynamic_quantize_u8(dq_, m_ * k_, a, codes, &a_scale, &a_zp, ctx);
  // a_scale * b_scale[n], one float32 product: the chain's Mul of the two scales.
  std::vector<float> scale(n_);
  for (size_t j = 0; j < n_; j++) scale[j] = a_scale * p.b_scale[p.b_scale_count == 1 ? 0 : j];
  if (k_ == 0) {
    // An empty sum: the chain's float(0) * scale (+ bias); no kernel is asked for K = 0.
    for (size_t i = 0; i < m_; i++)
      for (size_t j = 0; j < n_; j++) {
        const float v = 0.0f * scale[j];
        y[i * n_ + j] = p.bias ? v + p.bias[j] : v;
      }
    return;
  }
  QGemmZeroPoints zp;
  zp.a_zp = a_zp;
  zp.b_zp = p.b_zp, zp.b_zp_count = p.b_zp_count;
  U8S8Output stage{U8S8OutputKind::f32, nullptr, nullptr, nullptr, scale.data(), p.bias, RequantParams{0, 0, 255}};
  qgemm(gemm_, b, m_, codes, k_, zp, stage, y, n_, ctx);
}

}  // namespace i8k
