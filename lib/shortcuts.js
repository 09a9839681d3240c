'use strict';
// Shortcuts past stream.Duplex's bookkeeping for the common case, taken only
// when the outcome a user can observe is the same as the full path's.
// Each reads the stream state through the public field names every runtime
// (Node 20, 24, Bun) keeps on _readableState/_writableState.

// Node exposes the global Buffer through a getter; the module's binding is a plain load.
const { Buffer } = require('buffer');
const { Duplex } = require('stream');

// The stream-state fields the shortcuts read or set. They are not public API:
// a runtime whose streams lack one gets no shortcut at all (every read and
// write takes Duplex's own path), rather than a wrong one.
const READABLE_FIELDS = ['flowing', 'length', 'sync', 'decoder', 'ended', 'destroyed', 'reading',
  'multiAwaitDrain', 'awaitDrainWriters', 'dataEmitted'];
const WRITABLE_FIELDS = ['length', 'corked', 'writing', 'ending', 'destroyed', 'errored', 'constructed',
  'highWaterMark', 'defaultEncoding'];

function streamsHaveFields() {
  const probe = new Duplex({ read() {}, write(chunk, encoding, cb) { cb(); } });
  probe.on('data', () => {});
  const readable = probe._readableState;
  const writable = probe._writableState;
  const ok = typeof probe._events === 'object' && probe._events !== null && probe._events.data !== undefined
    && readable !== undefined && writable !== undefined
    && READABLE_FIELDS.every((field) => field in readable) && WRITABLE_FIELDS.every((field) => field in writable);
  probe.destroy();
  return ok;
}

const available = streamsHaveFields();

// A read can be emitted as 'data' at once when push() would do exactly that:
// flowing, nothing buffered, no decoder, someone listening. push() would also
// queue a tick to read more, which is moot while the handle keeps reading.
// "Someone listening" reads the emitter's _events (kept by Node and Bun alike):
// listenerCount() costs a megamorphic lookup per read.
function canEmitData(stream, state) {
  const events = stream._events;
  return available && state.flowing === true && state.length === 0 && !state.sync && state.decoder === null
    && !state.ended && !state.destroyed && events !== undefined && events.data !== undefined;
}

// What push() does around the 'data' event of such a read.
function emitData(stream, state, chunk) {
  state.reading = false;
  if (state.multiAwaitDrain) state.awaitDrainWriters.clear();
  else state.awaitDrainWriters = null;
  state.dataEmitted = true;
  stream.emit('data', chunk);
}

// A write can go to the handle before Writable sees it when Writable would
// pass it straight to _write: nothing queued or in flight, not corked, ending
// or failed. Only chunks below the high-water mark are sent this way, so
// whether write() returns false never depends on the shortcut.
function writableIsIdle(state) {
  return available && state.length === 0 && state.corked === 0 && !state.writing && !state.ending
    && !state.destroyed && state.errored === null && state.constructed;
}

// The chunk kinds the handle takes as they are: a Buffer, or a string to be
// sent as UTF-8. A Buffer only without an encoding argument: Writable
// validates one even for a Buffer (ERR_UNKNOWN_ENCODING).
function isDirectBuffer(state, chunk, encoding) {
  return encoding === undefined && chunk instanceof Buffer && chunk.length < state.highWaterMark;
}

function isDirectUtf8(state, chunk, encoding) {
  if (typeof chunk !== 'string' || chunk.length >= state.highWaterMark) return false;
  const effective = encoding === undefined ? state.defaultEncoding : encoding;
  return effective === 'utf8' || effective === 'utf-8';
}

module.exports = { available, canEmitData, emitData, writableIsIdle, isDirectBuffer, isDirectUtf8 };
