// Plan ops of the elementwise family (see op-factory.h).
#include "op-factory.h"

namespace i8k {

void register_elementwise_ops(OpRegistry&) {}

}  // namespace i8k
