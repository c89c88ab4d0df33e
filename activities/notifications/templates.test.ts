import { gsmLength, isGsm7 } from './sms-encoding';
import { formatDateTime, NOTIFICATION_EVENTS, parseNotificationParams, renderNotification, resolveLanguage, type NotificationParams } from './templates';

const PARAMS: NotificationParams = {
  welcome: { givenName: 'Ana', customerId: 'CUST-000123', msisdn: '+34600111222' },
  registrationRejected: { givenName: 'Ana', reasons: ['birthDate: must be at least 18 years old', 'document: the check letter does not match'] },
  registrationExpired: { givenName: 'Ana', registrationId: 'REG-42' },
  registrationFailed: { givenName: 'Ana', registrationId: 'REG-42' },
  identityReviewEscalation: { registrationId: 'REG-42', waitingSince: '2026-11-25T09:05:00Z', supervisorName: 'Marta' },
  identityReviewRequested: { registrationId: 'REG-42', reasons: ['name: mixes scripts', 'birthDate: older than 110'] },
};

describe('notification templates', () => {
  it('renders the welcome in English', () => {
    expect(renderNotification('welcome', 'en', PARAMS.welcome)).toEqual({
      subject: 'Welcome to BSS, Ana',
      text:
        'Hello Ana,\n\nWelcome to BSS! Your customer account is ready.\n\n' +
        'Customer number: CUST-000123\nMobile number: +34600111222\n\n' +
        'Keep your customer number at hand when you contact us.\n\nThe BSS team\n',
      html:
        '<!doctype html>\n<html lang="en"><body>\n<p>Hello Ana,</p>\n<p>Welcome to BSS! Your customer account is ready.</p>\n' +
        '<p>Customer number: <strong>CUST-000123</strong><br>Mobile number: <strong>+34600111222</strong></p>\n' +
        '<p>Keep your customer number at hand when you contact us.</p>\n<p>The BSS team</p>\n</body></html>\n',
      sms: 'Welcome to BSS, Ana! Your customer number is CUST-000123. Your mobile number +34600111222 is ready to use.',
    });
  });

  it('renders the welcome in Spanish, the SMS in the GSM alphabet', () => {
    expect(renderNotification('welcome', 'es', PARAMS.welcome)).toEqual({
      subject: 'Te damos la bienvenida a BSS, Ana',
      text:
        'Hola, Ana:\n\n¡Te damos la bienvenida a BSS! Tu cuenta de cliente ya está lista.\n\n' +
        'Número de cliente: CUST-000123\nNúmero de móvil: +34600111222\n\n' +
        'Ten a mano tu número de cliente cuando contactes con nosotros.\n\nEl equipo de BSS\n',
      html:
        '<!doctype html>\n<html lang="es"><body>\n<p>Hola, Ana:</p>\n<p>¡Te damos la bienvenida a BSS! Tu cuenta de cliente ya está lista.</p>\n' +
        '<p>Número de cliente: <strong>CUST-000123</strong><br>Número de móvil: <strong>+34600111222</strong></p>\n' +
        '<p>Ten a mano tu número de cliente cuando contactes con nosotros.</p>\n<p>El equipo de BSS</p>\n</body></html>\n',
      sms: '¡Te damos la bienvenida a BSS, Ana! Tu numero de cliente es CUST-000123. Tu movil +34600111222 ya esta activo.',
    });
  });

  it('leaves out what was not given', () => {
    const r = renderNotification('welcome', 'en', { givenName: 'Bo', customerId: 'C-1' });
    expect(r.text).toBe(
      'Hello Bo,\n\nWelcome to BSS! Your customer account is ready.\n\nCustomer number: C-1\n\n' +
        'Keep your customer number at hand when you contact us.\n\nThe BSS team\n',
    );
    expect(r.sms).toBe('Welcome to BSS, Bo! Your customer number is C-1.');
    expect(renderNotification('registrationExpired', 'es', {}).text).toBe(
      'Hola:\n\nTu registro no se completó a tiempo y ha caducado. Puedes empezar uno nuevo cuando quieras.\n\nEl equipo de BSS\n',
    );
  });

  it('lists the reasons of a rejection, and keeps the SMS to one message', () => {
    const en = renderNotification('registrationRejected', 'en', PARAMS.registrationRejected);
    expect(en.subject).toBe('Your BSS registration could not be accepted');
    expect(en.text).toBe(
      'Hello Ana,\n\nWe could not accept your registration for the following reasons:\n\n' +
        '- birthDate: must be at least 18 years old\n- document: the check letter does not match\n\n' +
        'You can register again with the corrected details at any time.\n\nThe BSS team\n',
    );
    expect(en.html).toContain('<ul><li>birthDate: must be at least 18 years old</li><li>document: the check letter does not match</li></ul>');
    // Both reasons would not fit one SMS: the short wording is used.
    expect(en.sms).toBe('BSS: we could not accept your registration. Please check your details and register again.');
    // One short reason fits.
    expect(renderNotification('registrationRejected', 'en', { reasons: ['too young'] }).sms).toBe(
      'BSS: we could not accept your registration: too young. You can register again with corrected details.',
    );
    const es = renderNotification('registrationRejected', 'es', { reasons: ['too young'] });
    expect(es.subject).toBe('No hemos podido aceptar tu registro en BSS');
    expect(es.text).toBe(
      'Hola:\n\nNo hemos podido aceptar tu registro por estos motivos:\n\n- too young\n\n' +
        'Puedes registrarte de nuevo con los datos corregidos cuando quieras.\n\nEl equipo de BSS\n',
    );
    expect(es.sms).toBe('BSS: no hemos podido aceptar tu registro: too young. Puedes registrarte de nuevo con los datos corregidos.');
  });

  it('renders the registration outcomes in both languages', () => {
    expect(renderNotification('registrationExpired', 'en', PARAMS.registrationExpired)).toMatchObject({
      subject: 'Your BSS registration has expired',
      text:
        'Hello Ana,\n\nYour registration was not completed in time and has expired. You can start a new registration whenever you like.\n\n' +
        'Reference: REG-42\n\nThe BSS team\n',
      sms: 'BSS: your registration has expired because it was not completed in time. You can start a new one whenever you like.',
    });
    expect(renderNotification('registrationExpired', 'es', PARAMS.registrationExpired)).toMatchObject({
      subject: 'Tu registro en BSS ha caducado',
      sms: 'BSS: tu registro ha caducado porque no se completo a tiempo. Puedes empezar uno nuevo cuando quieras.',
    });
    expect(renderNotification('registrationFailed', 'en', PARAMS.registrationFailed)).toMatchObject({
      subject: 'We could not complete your BSS registration',
      text:
        'Hello Ana,\n\nSomething went wrong on our side and we could not complete your registration. We are sorry.\n\n' +
        'Please try again later, or contact us and quote the reference below.\n\nReference: REG-42\n\nThe BSS team\n',
      sms: 'BSS: we could not complete your registration because of a problem on our side. Please try again later. Ref: REG-42',
    });
    expect(renderNotification('registrationFailed', 'es', PARAMS.registrationFailed)).toMatchObject({
      subject: 'No hemos podido completar tu registro en BSS',
      text:
        'Hola, Ana:\n\nAlgo ha fallado por nuestra parte y no hemos podido completar tu registro. Lo sentimos.\n\n' +
        'Inténtalo de nuevo más tarde o contacta con nosotros indicando la referencia.\n\nReferencia: REG-42\n\nEl equipo de BSS\n',
      sms: 'BSS: no hemos podido completar tu registro por un problema nuestro. Inténtalo mas tarde. Ref: REG-42',
    });
  });

  it('renders the identity review messages', () => {
    expect(renderNotification('identityReviewRequested', 'en', PARAMS.identityReviewRequested)).toEqual({
      subject: 'Identity review needed: registration REG-42',
      text:
        'Hello,\n\nRegistration REG-42 needs a manual identity review before the customer account can be opened.\n\n' +
        'Reasons:\n\n- name: mixes scripts\n- birthDate: older than 110\n\nPlease review it in the identity review queue.\n\nBSS\n',
      html:
        '<!doctype html>\n<html lang="en"><body>\n<p>Hello,</p>\n' +
        '<p>Registration REG-42 needs a manual identity review before the customer account can be opened.</p>\n' +
        '<p>Reasons:</p>\n<ul><li>name: mixes scripts</li><li>birthDate: older than 110</li></ul>\n' +
        '<p>Please review it in the identity review queue.</p>\n<p>BSS</p>\n</body></html>\n',
      sms: 'BSS: registration REG-42 needs a manual identity review: name: mixes scripts; birthDate: older than 110.',
    });
    expect(renderNotification('identityReviewRequested', 'es', { registrationId: 'REG-42' })).toMatchObject({
      subject: 'Revisión de identidad necesaria: registro REG-42',
      text:
        'Hola:\n\nEl registro REG-42 necesita una revisión manual de identidad antes de abrir la cuenta del cliente.\n\n' +
        'Revísalo en la cola de revisiones de identidad.\n\nBSS\n',
      sms: 'BSS: el registro REG-42 necesita una revision manual de identidad.',
    });
    expect(renderNotification('identityReviewEscalation', 'en', PARAMS.identityReviewEscalation)).toEqual({
      subject: 'Identity review overdue: registration REG-42',
      text:
        'Hello Marta,\n\nRegistration REG-42 has been waiting for a manual identity review since 2026-11-25 09:05 UTC.\n\n' +
        'Please assign it to a reviewer or review it yourself.\n\nBSS\n',
      html:
        '<!doctype html>\n<html lang="en"><body>\n<p>Hello Marta,</p>\n' +
        '<p>Registration REG-42 has been waiting for a manual identity review since 2026-11-25 09:05 UTC.</p>\n' +
        '<p>Please assign it to a reviewer or review it yourself.</p>\n<p>BSS</p>\n</body></html>\n',
      sms: 'BSS: registration REG-42 has waited for identity review since 2026-11-25 09:05 UTC. Please assign a reviewer.',
    });
    expect(renderNotification('identityReviewEscalation', 'es', PARAMS.identityReviewEscalation)).toMatchObject({
      subject: 'Revisión de identidad pendiente: registro REG-42',
      text:
        'Hola, Marta:\n\nEl registro REG-42 espera una revisión manual de identidad desde 2026-11-25 09:05 UTC.\n\n' +
        'Asígnalo a un revisor o revísalo tú.\n\nBSS\n',
      sms: 'BSS: el registro REG-42 espera revision de identidad desde 2026-11-25 09:05 UTC. Asigna un revisor.',
    });
  });

  it('falls back to English and reads regional tags', () => {
    expect(resolveLanguage('es-ES')).toBe('es');
    expect(resolveLanguage('ES_mx')).toBe('es');
    expect(resolveLanguage('fr')).toBe('en');
    expect(resolveLanguage(undefined)).toBe('en');
    expect(renderNotification('welcome', 'fr', PARAMS.welcome)).toEqual(renderNotification('welcome', 'en', PARAMS.welcome));
    expect(renderNotification('welcome', 'es-AR', PARAMS.welcome).subject).toBe('Te damos la bienvenida a BSS, Ana');
  });

  it('escapes parameters in HTML', () => {
    const r = renderNotification('welcome', 'en', { givenName: '<b>Ann & "Co"</b>', customerId: "C'1" });
    expect(r.html).toContain('<p>Hello &lt;b&gt;Ann &amp; &quot;Co&quot;&lt;/b&gt;,</p>');
    expect(r.html).toContain('Customer number: <strong>C&#39;1</strong>');
    expect(r.text).toContain('Hello <b>Ann & "Co"</b>,');
  });

  it('keeps every SMS to one GSM message', () => {
    for (const language of ['en', 'es']) {
      for (const event of NOTIFICATION_EVENTS) {
        const { sms } = renderNotification(event, language, PARAMS[event] as never);
        expect(isGsm7(sms)).toBe(true);
        expect(gsmLength(sms)).toBeLessThanOrEqual(160);
      }
    }
  });

  it('writes names in GSM when they can be, and keeps those that cannot', () => {
    expect(renderNotification('welcome', 'en', { givenName: 'Ángel Çelik', customerId: 'C-1' }).sms).toBe(
      'Welcome to BSS, Angel Çelik! Your customer number is C-1.',
    );
    // No GSM form: the whole SMS keeps its accents (it goes out in UCS-2).
    expect(renderNotification('welcome', 'es', { givenName: '王芳', customerId: 'C-1' }).sms).toBe(
      '¡Te damos la bienvenida a BSS, 王芳! Tu número de cliente es C-1.',
    );
  });

  it('shows dates in UTC, and what is not a date as given', () => {
    expect(formatDateTime('2026-11-25T10:05:00+01:00')).toBe('2026-11-25 09:05 UTC');
    expect(formatDateTime('yesterday')).toBe('yesterday');
  });

  it('checks parameters as they arrive at run time', () => {
    expect(parseNotificationParams('welcome', { givenName: 'Ana', customerId: 'C-1', msisdn: null, extra: 1 })).toEqual({
      ok: true,
      event: 'welcome',
      params: { givenName: 'Ana', customerId: 'C-1', msisdn: undefined },
    });
    expect(parseNotificationParams('registrationRejected', {})).toEqual({ ok: true, event: 'registrationRejected', params: { reasons: [] } });
    expect(parseNotificationParams('welcome', { givenName: 'Ana' })).toEqual({
      ok: false,
      error: 'invalid parameters for welcome: params.customerId: Invalid input: expected string, received undefined',
    });
    expect(parseNotificationParams('birthday', {})).toEqual({ ok: false, error: 'no template for notification event birthday' });
  });

  it('refuses an event it has no template for', () => {
    expect(() => renderNotification('toString' as never, 'en', {} as never)).toThrow('no template for notification event toString');
  });
});
