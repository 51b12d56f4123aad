#pragma once
#include <napi.h>
#include "../plan/plan.h"

namespace i8k {

// A JS Error whose `code` the TypeScript side maps to its typed error classes.
inline Napi::Error make_error(Napi::Env env, const Error& e) {
  Napi::Error err = Napi::Error::New(env, e.message);
  err.Set("code", Napi::String::New(env, e.code));
  return err;
}

Napi::Object init_plan_wrap(Napi::Env env, Napi::Object exports);

}  // namespace i8k
