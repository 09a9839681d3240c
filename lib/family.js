'use strict';
// Address-family defaults: autoSelectFamily ("happy eyeballs") settings and dns family names.
const args = require('./args');

let defaultAutoSelectFamily = true;
let defaultAttemptTimeout = 250;

function getDefaultAutoSelectFamily() {
  return defaultAutoSelectFamily;
}

function setDefaultAutoSelectFamily(value) {
  if (typeof value !== 'boolean') {
    throw require('./errors').invalidArgType('value', 'boolean', value);
  }
  defaultAutoSelectFamily = value;
}

function getDefaultAutoSelectFamilyAttemptTimeout() {
  return defaultAttemptTimeout;
}

function setDefaultAutoSelectFamilyAttemptTimeout(value) {
  args.validateInt32(value, 'value', 1, 2 ** 31 - 1);
  defaultAttemptTimeout = value < 10 ? 10 : value;
}

function toDnsFamily(family) {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family || 0;
}

module.exports = {
  getDefaultAutoSelectFamily,
  setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamilyAttemptTimeout,
  toDnsFamily,
};
