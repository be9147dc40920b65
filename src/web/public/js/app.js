// Shared browser helpers: JSON API calls with the CSRF header, and readable error messages.

/** Reads a cookie by name (the CSRF cookie is readable by design: double-submit). */
export function cookie(name) {
  const m = document.cookie.split('; ').find((c) => c.startsWith(name + '='));
  return m ? decodeURIComponent(m.slice(name.length + 1)) : '';
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Calls the JSON API; throws ApiError with the server's code and Japanese message. */
export async function api(method, url, body, init = {}) {
  const headers = { Accept: 'application/json', 'X-CSRF-Token': cookie('csrf'), ...(init.headers || {}) };
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(
      res.status,
      e.code || 'HTTP_' + res.status,
      e.message || '通信に失敗しました。',
      e.details,
    );
  }
  return data;
}

/** Shows an error (or clears it) in an element with role="alert". */
export function showError(el, err) {
  if (!el) return;
  el.textContent = err ? (err.message || String(err)) + (err.code ? ' (' + err.code + ')' : '') : '';
}

/** Shows an error in a role="alert" element, or hides the element when err is empty. */
export function setError(el, err) {
  if (!el) return;
  showError(el, err);
  el.hidden = !err;
}

/** Runs an async action with the button disabled; any refusal is shown in errorEl. */
export async function busy(button, errorEl, fn) {
  setError(errorEl, null);
  if (button) button.disabled = true;
  try {
    return await fn();
  } catch (err) {
    setError(errorEl, err);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

export function formJson(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}

export function yen(n) {
  return '¥' + Number(n).toLocaleString('ja-JP');
}

export function esc(s) {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}
