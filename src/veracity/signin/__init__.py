"""Sign-in protection: the login lockout, two-factor login (TOTP) and password rules."""
