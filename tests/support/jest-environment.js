const { TestEnvironment } = require('jest-environment-node');

/**
 * onnxruntime-node builds output tensors with the typed arrays of Node's main realm, and its Tensor
 * constructor checks `instanceof` against the test's realm. Sharing the constructors makes both agree.
 */
class SharedTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of [
      'ArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
      'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
    ]) {
      this.global[name] = globalThis[name];
    }
  }
}

module.exports = SharedTypedArrayEnvironment;
