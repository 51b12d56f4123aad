# node-gyp build of the addon (prebuildify and users who prefer node-gyp). The install script uses
# cmake-js (CMakeLists.txt) first because it builds offline against node-api-headers. Keep the two
# source lists in step.
{
  'target_defaults': {
    'cflags_cc': ['-std=c++17', '-O3', '-fexceptions'],
    'cflags_cc!': ['-fno-exceptions', '-std=gnu++14', '-std=gnu++17'],
    'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
    'defines': ['NAPI_VERSION=8', 'NAPI_CPP_EXCEPTIONS', 'NODE_ADDON_API_DISABLE_DEPRECATED'],
  },
  'targets': [
    {
      'target_name': 'int8kit',
      'sources': [
        'native/napi/addon.cc', 'native/napi/plan-wrap.cc',
        'native/config/isa.cc', 'native/config/kernel-config.cc',
        'native/ops/gemm-f32.cc', 'native/ops/gemm-u8s8.cc',
        'native/plan/plan-reader.cc', 'native/plan/plan.cc', 'native/plan/op-gemm.cc',
        'native/plan/thread-pool.cc',
      ],
      'dependencies': ['int8kit_scalar'],
      'conditions': [
        ['target_arch=="x64"', {
          'dependencies': ['int8kit_avx2', 'int8kit_avx512', 'int8kit_avxvnni', 'int8kit_avxvnni_evex'],
        }],
        ['target_arch=="arm64"', { 'dependencies': ['int8kit_neon'] }],
      ],
    },
    {
      'target_name': 'int8kit_scalar',
      'type': 'static_library',
      'cflags_cc': ['-ffp-contract=off'],
      'sources': ['native/kernels/gemm-f32/f32-gemm-4x8-scalar.cc', 'native/kernels/gemm-u8s8/u8s8-gemm-4x8-scalar.cc'],
    },
  ],
  'conditions': [
    ['target_arch=="arm64"', {
      'targets': [
        {
          # Advanced SIMD is baseline on AArch64: no extra flags.
          'target_name': 'int8kit_neon',
          'type': 'static_library',
          'sources': ['native/kernels/gemm-f32/f32-gemm-6x8-neon.cc', 'native/kernels/gemm-u8s8/u8s8-gemm-8x8-neon.cc'],
        },
      ],
    }],
    ['target_arch=="x64"', {
      'targets': [
        {
          'target_name': 'int8kit_avx2',
          'type': 'static_library',
          'cflags_cc': ['-mavx2', '-mfma'],
          'sources': ['native/kernels/gemm-f32/f32-gemm-6x16-avx2-fma.cc', 'native/kernels/gemm-u8s8/u8s8-gemm-4x16c2-avx2.cc'],
        },
        {
          'target_name': 'int8kit_avx512',
          'type': 'static_library',
          'cflags_cc': ['-mavx2', '-mfma', '-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512vnni'],
          'sources': ['native/kernels/gemm-f32/f32-gemm-12x32-avx512f.cc', 'native/kernels/gemm-u8s8/u8s8-gemm-8x32c4-avx512vnni.cc'],
        },
        {
          'target_name': 'int8kit_avxvnni',
          'type': 'static_library',
          'cflags_cc': ['-mavx2', '-mfma', '-mavxvnni'],
          'sources': ['native/kernels/gemm-u8s8/u8s8-gemm-6x16c4-avxvnni.cc'],
        },
        {
          'target_name': 'int8kit_avxvnni_evex',
          'type': 'static_library',
          'cflags_cc': ['-mavx2', '-mfma', '-mavx512f', '-mavx512vl', '-mavx512vnni'],
          'sources': ['native/kernels/gemm-u8s8/u8s8-gemm-6x16c4-avxvnni-evex.cc'],
        },
      ],
    }],
  ],
}
