'use strict';
// Handles over descriptors opened elsewhere: new Socket({ fd }) and listen({ fd }).
const binding = require('./binding');
const args = require('./args');
const errors = require('./errors');
const { createHandle } = require('./handle');

// A TCP or pipe handle that owns fd (closing it closes fd), as { handle } or,
// when libuv will not take fd, { error } (a libuv error number). A descriptor
// that is neither a TCP nor a Unix socket/pipe throws ERR_INVALID_FD_TYPE.
function openDescriptor(fd, owner) {
  args.validateInt32(fd, 'fd', 0, 2 ** 31 - 1);
  const type = binding.guessHandleType(fd);
  if (type !== 'TCP' && type !== 'PIPE') {
    throw errors.nodeError(TypeError, 'ERR_INVALID_FD_TYPE', `Unsupported fd type: ${type}`);
  }
  const handle = createHandle(type === 'PIPE', owner);
  const error = handle.open(fd);
  if (error) {
    handle.owner = null;
    handle.close();
    return { handle: null, error };
  }
  return { handle, error: 0 };
}

// A duplicate of fd that cnet can own while another owner closes the original,
// or a negative libuv error (UV_EINVAL when there is no descriptor, fd < 0).
function duplicateDescriptor(fd) {
  return fd >= 0 ? binding.dupDescriptor(fd) : binding.UV_EINVAL;
}

module.exports = { openDescriptor, duplicateDescriptor };
