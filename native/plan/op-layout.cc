// Plan ops of the layout family (see op-factory.h).
#include "op-factory.h"

namespace i8k {

void register_layout_ops(OpRegistry&) {}

}  // namespace i8k
