// Plan ops of the conv family (see op-factory.h).
#include "op-factory.h"

namespace i8k {

void register_conv_ops(OpRegistry&) {}

}  // namespace i8k
