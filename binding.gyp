# node-gyp build of the addon (prebuildify and users who prefer node-gyp). The install script uses
# cmake-js (CMakeLists.txt) first because it builds offline against node-api-headers. Source lists
# come from scripts/gyp-sources.cjs, which matches file names as CMakeLists.txt globs them.
{
  'target_defaults': {
    'cflags_cc': ['-std=c++17', '-O3', '-fexceptions', '-fno-trapping-math'],
    'cflags_cc!': ['-fno-exceptions', '-std=gnu++14', '-std=gnu++17'],
    'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
    'defines': ['NAPI_VERSION=8', 'NAPI_CPP_EXCEPTIONS', 'NODE_ADDON_API_DISABLE_DEPRECATED'],
  },
  'targets': [
    {
      'target_name': 'int8kit',
      'sources': ['<!@(node scripts/gyp-sources.cjs core)'],
      'dependencies': ['int8kit_scalar'],
      'conditions': [
        ['target_arch=="x64"', {
          'dependencies': ['int8kit_sse2', 'int8kit_avx2', 'int8kit_avx512', 'int8kit_avxvnni', 'int8kit_avxvnni_evex'],
        }],
        ['target_arch=="arm64"', { 'dependencies': ['int8kit_neon'] }],
      ],
    },
    {
      'target_name': 'int8kit_scalar',
      'type': 'static_library',
      'cflags_cc': ['-ffp-contract=off'],
      'sources': ['<!@(node scripts/gyp-sources.cjs scalar)'],
    },
  ],
  'conditions': [
    ['target_arch=="arm64"', {
      'targets': [
        {
          # Advanced SIMD is baseline on AArch64: no extra flags.
          'target_name': 'int8kit_neon',
          'type': 'static_library',
          'sources': ['<!@(node scripts/gyp-sources.cjs neon)'],
        },
      ],
    }],
    ['target_arch=="x64"', {
      'targets': [
        {
          # SSE2 is the x86-64 baseline: no extra flags.
          'target_name': 'int8kit_sse2',
          'type': 'static_library',
          'sources': ['<!@(node scripts/gyp-sources.cjs sse2)'],
        },
        {
          'target_name': 'int8kit_avx2',
          'type': 'static_library',
          'cflags_cc': ['-mavx2', '-mfma'],
          'sources': ['<!@(node scripts/gyp-sources.cjs avx2)'],
        },
        {
          'target_name': 'int8kit_avx512',
          'type': 'static_library',
          'cflags_cc': ['-mavx2', '-mfma', '-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512vnni'],
          'sources': ['<!@(node scripts/gyp-sources.cjs avx512)'],
        },
        {
          'target_name': 'int8kit_avxvnni',
          'type': 'static_library',
          'cflags_cc': ['-mavx2', '-mfma', '-mavxvnni'],
          'sources': ['<!@(node scripts/gyp-sources.cjs avxvnni)'],
        },
        {
          'target_name': 'int8kit_avxvnni_evex',
          'type': 'static_library',
          'cflags_cc': ['-mavx2', '-mfma', '-mavx512f', '-mavx512vl', '-mavx512vnni'],
          'sources': ['<!@(node scripts/gyp-sources.cjs avxvnni_evex)'],
        },
      ],
    }],
  ],
}
