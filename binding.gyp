{
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
        "src/tcp.c",
        "src/pipe.c",
        "src/sockopt.c"
      ],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
