'use strict';
// Reads a child process's stdout as JSON lines: next() resolves with the next
// line, or rejects (with the child's stderr, when piped) once the child has exited.
function jsonLines(child) {
  const queue = [];
  const waiting = [];
  let buffered = '';
  let stderr = '';
  if (child.stderr) child.stderr.on('data', (d) => { stderr += d; });
  const fail = (why) => { while (waiting.length) waiting.shift().reject(new Error(`${why}; stderr: ${stderr}`)); };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text) => {
    buffered += text;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (waiting.length) waiting.shift().resolve(line);
      else queue.push(line);
    }
  });
  child.on('exit', (code, signal) => fail(`child exited (${code}, ${signal})`));
  return {
    next() {
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

module.exports = { jsonLines };
