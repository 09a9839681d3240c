'use strict';
// The blockList option of Socket and Server: the runtime's own net.BlockList decides.
const { BlockList } = require('node:net');
const errors = require('./errors');

// Node 20's BlockList has no isBlockList(); an instance check answers the same there.
function isBlockList(value) {
  return typeof BlockList.isBlockList === 'function'
    ? BlockList.isBlockList(value)
    : value instanceof BlockList;
}

// options.blockList, checked as Node does: any falsy value means none.
function blockListOption(options) {
  const { blockList } = options;
  if (!blockList) return undefined;
  if (!isBlockList(blockList)) throw errors.invalidArgType('options.blockList', 'net.BlockList', blockList);
  return blockList;
}

function isBlocked(blockList, address, addressFamily) {
  return blockList !== undefined && blockList.check(address, `ipv${addressFamily}`);
}

module.exports = { blockListOption, isBlocked };
