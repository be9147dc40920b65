// Logout: ends the session on the server, then leaves the logged-in area.
import { api } from '../app.js';
import { busy } from './common.js';

const button = document.getElementById('logout-button');
button.addEventListener('click', async () => {
  const r = await busy(button, document.getElementById('logout-error'), () =>
    api('POST', '/api/auth/logout'),
  );
  if (r) location.assign('/logged-out');
});
button.focus();
