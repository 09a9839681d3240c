'use strict';
// net.Socket, net.Server and net.Stream are plain functions in built-in net:
// legacy code and Node's tests call them without `new`. cnet's classes get a
// function in front that constructs the class either way, shares its
// prototype (instanceof, subclassing with `extends`) and inherits its statics.
function callableWithoutNew(Class) {
  const { [Class.name]: constructor } = {
    [Class.name]: function (...argv) {
      // Built as the class itself unless a subclass asks: V8 gives objects made
      // for another new.target a map without the class's in-object slots, which
      // cost 3.5 KB of heap per socket on Node 20.
      const target = new.target === undefined || new.target === constructor ? Class : new.target;
      return Reflect.construct(Class, argv, target);
    },
  };
  constructor.prototype = Class.prototype;
  Object.defineProperty(Class.prototype, 'constructor', {
    value: constructor, writable: true, configurable: true, enumerable: false,
  });
  Object.setPrototypeOf(constructor, Class);
  Object.defineProperty(constructor, 'length', { value: Class.length });
  return constructor;
}

module.exports = { callableWithoutNew };
