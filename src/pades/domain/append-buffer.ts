/**
 * Appends incremental updates without copying the document at every step. The first update
 * copies the original once into a buffer with headroom; later updates to the newest view are
 * written in place after it, so a B-LTA signature (signature, DSS, document timestamp) of a 50 MB
 * file holds one extra copy instead of three. Bytes inside a returned view never change: later
 * updates only write beyond its end (the prefix property of incremental updates).
 */
const used = new WeakMap<ArrayBufferLike, number>();

const MIN_HEADROOM = 256 * 1024;

export function appendUpdate(base: Uint8Array, appended: Uint8Array): Buffer {
  const total = base.length + appended.length;
  const end = used.get(base.buffer);
  if (end !== undefined && base.byteOffset === 0 && base.length === end && total <= base.buffer.byteLength) {
    const view = Buffer.from(base.buffer, 0, total);
    view.set(appended, base.length);
    used.set(base.buffer, total);
    return view;
  }
  const headroom = Math.max(MIN_HEADROOM, appended.length * 4);
  const store = Buffer.allocUnsafeSlow(total + headroom);
  store.set(base, 0);
  store.set(appended, base.length);
  used.set(store.buffer, total);
  return store.subarray(0, total);
}
