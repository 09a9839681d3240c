{
  "variables": {
    "cnet_sanitize%": "<!(node -p \"process.env.CNET_SANITIZE === '1' ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "cnet",
      "sources": [
        "src/module.c",
        "src/uv_api.c",
        "src/loop.c",
        "src/errors.c",
        "src/handle.c",
        "src/handle_ids.c",
        "src/fd.c",
        "src/read_pool.c",
        "src/stream.c",
        "src/coalesce.c",
        "src/tcp.c",
        "src/pipe.c",
        "src/sockopt.c",
        "src/ssl_api.c",
        "src/tls.c"
      ],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["cnet_sanitize==1", {
          "cflags_c": ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
                       "-fno-sanitize-recover=undefined"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
