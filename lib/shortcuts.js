'use strict';
// Shortcuts past stream.Duplex's bookkeeping for the common case, taken only
// when the outcome a user can observe is the same as the full path's.
// Each reads the stream state through the public field names every runtime
// (Node 20, 24, Bun) keeps on _readableState/_writableState.

// Node exposes the global Buffer through a getter; the module's binding is a plain load.
const { Buffer } = require('buffer');

// A read can be emitted as 'data' at once when push() would do exactly that:
// flowing, nothing buffered, no decoder, someone listening. push() would also
// queue a tick to read more, which is moot while the handle keeps reading.
// "Someone listening" reads the emitter's _events (kept by Node and Bun alike):
// listenerCount() costs a megamorphic lookup per read.
function canEmitData(stream, state) {
  const events = stream._events;
  return state.flowing === true && state.length === 0 && !state.sync && state.decoder === null
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

// A Buffer write can go to the handle before Writable sees it when Writable
// would pass it straight to _write: nothing queued or in flight, not corked or
// ending, and the chunk below the high-water mark (else write() must return
// false and 'drain' follow).
function canWriteDirectly(state, chunk) {
  return state.length === 0 && state.corked === 0 && !state.writing && !state.ending
    && !state.destroyed && state.errored === null && state.constructed
    && chunk instanceof Buffer && chunk.length < state.highWaterMark;
}

module.exports = { canEmitData, emitData, canWriteDirectly };
