import { gsmLength, isGsm7 } from './sms-encoding';
import {
  formatDateTime,
  formatMoney,
  formatTimeWindow,
  NOTIFICATION_EVENTS,
  parseNotificationParams,
  renderNotification,
  resolveLanguage,
  type NotificationParams,
} from './templates';

const PARAMS: NotificationParams = {
  welcome: { givenName: 'Ana', customerId: 'CUST-000123', msisdn: '+34600111222' },
  registrationRejected: { givenName: 'Ana', reasons: ['birthDate: must be at least 18 years old', 'document: the check letter does not match'] },
  registrationExpired: { givenName: 'Ana', registrationId: 'REG-42' },
  registrationFailed: { givenName: 'Ana', registrationId: 'REG-42' },
  identityReviewEscalation: { registrationId: 'REG-42', waitingSince: '2026-11-25T09:05:00Z', supervisorName: 'Marta' },
  identityReviewRequested: { registrationId: 'REG-42', reasons: ['name: mixes scripts', 'birthDate: older than 110'] },
  orderAcknowledged: { givenName: 'Ana', orderId: 'ORD-7', items: ['Fibra 600 Mb', 'Móvil Ilimitado'] },
  orderInProgress: {
    givenName: 'Ana',
    orderId: 'ORD-7',
    appointment: { start: '2026-12-01T10:00:00+01:00', end: '2026-12-01T13:00:00Z', address: 'Calle Mayor 1, 28013 Madrid' },
  },
  orderPending: { givenName: 'Ana', orderId: 'ORD-7', reason: 'no network capacity in the area yet' },
  orderPaymentDeclined: { givenName: 'Ana', orderId: 'ORD-7', amount: '49.9', currency: 'EUR', reason: 'insufficient funds', payBefore: '2026-12-03T10:00:00+01:00' },
  orderCompleted: { givenName: 'Ana', orderId: 'ORD-7', msisdn: '+34600111222', items: ['Fibra 600 Mb', 'Móvil Ilimitado'] },
  orderRejected: { givenName: 'Ana', orderId: 'ORD-7', reasons: ['customer: not active', 'Fibra 600 Mb: not sellable'] },
  orderFailed: { givenName: 'Ana', orderId: 'ORD-7', refunded: '49.90', currency: 'EUR' },
  orderCancelled: { givenName: 'Ana', orderId: 'ORD-7', reason: 'payment not received in time', refunded: '10', currency: 'EUR' },
  appointmentRescheduled: { givenName: 'Ana', orderId: 'ORD-7', start: '2026-12-04T15:00:00Z', end: '2026-12-04T19:00:00Z', reason: 'missed' },
  installationEscalation: { orderId: 'ORD-7', workOrderId: 'WO-31', misses: 2, area: 'Madrid Centro' },
  billDunning: { givenName: 'Ana', stage: 'suspended', billNo: 'B-2026-000042', amount: '36.30', currency: 'EUR', dueDate: '2026-12-15', nextStepDate: '2027-01-29' },
  billIssued: { givenName: 'Ana', billNo: 'B-0000000042', periodStart: '2026-11-01', periodEnd: '2026-11-30', amountDue: '61.71', currency: 'EUR', dueDate: '2026-12-15' },
  ticketAssigned: { ticketId: 'TT-9', ticketType: 'billing', severity: 'major', description: 'I was charged twice for November', assigneeName: 'Elena' },
  ticketReminder: { ticketId: 'TT-9', deadline: '2026-11-26T18:00:00Z', assigneeName: 'Elena' },
  ticketEscalation: { ticketId: 'TT-9', queue: 'billing', deadline: '2026-11-26T18:00:00Z', severity: 'major', assigneeName: 'Elena', supervisorName: 'Rosa' },
  ticketAnswered: { givenName: 'Ana', ticketId: 'TT-9', answer: 'The second charge has been refunded.', status: 'resolved', reopenUntil: '2026-12-03T10:00:00Z' },
  topUpCompleted: { givenName: 'Ana', topupId: 'TOP-9', amount: '20', currency: 'EUR', balance: '23.5' },
  topUpFailed: { givenName: 'Ana', topupId: 'TOP-9', amount: '20', currency: 'EUR', reason: 'card ****0341 declined: insufficient funds', refunded: '20.00' },
  lowBalance: { givenName: 'Ana', balance: '3.2', currency: 'EUR', threshold: '5' },
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

  describe('order fulfilment', () => {
    const UUID = '3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b';

    it('acknowledges an order with what was ordered', () => {
      expect(renderNotification('orderAcknowledged', 'en', PARAMS.orderAcknowledged)).toEqual({
        subject: 'We have received your BSS order ORD-7',
        text:
          'Hello Ana,\n\nThank you for your order. We have received it and will start working on it shortly.\n\n' +
          'Order number: ORD-7\n\nYou ordered:\n\n- Fibra 600 Mb\n- Móvil Ilimitado\n\n' +
          'We will keep you informed of its progress.\n\nThe BSS team\n',
        html:
          '<!doctype html>\n<html lang="en"><body>\n<p>Hello Ana,</p>\n' +
          '<p>Thank you for your order. We have received it and will start working on it shortly.</p>\n' +
          '<p>Order number: <strong>ORD-7</strong></p>\n<p>You ordered:</p>\n<ul><li>Fibra 600 Mb</li><li>Móvil Ilimitado</li></ul>\n' +
          '<p>We will keep you informed of its progress.</p>\n<p>The BSS team</p>\n</body></html>\n',
        sms: 'BSS: we have received your order ORD-7: Fibra 600 Mb, Movil Ilimitado. We will keep you informed of its progress.',
      });
      expect(renderNotification('orderAcknowledged', 'es', PARAMS.orderAcknowledged)).toMatchObject({
        subject: 'Hemos recibido tu pedido ORD-7 de BSS',
        text:
          'Hola, Ana:\n\nGracias por tu pedido. Lo hemos recibido y empezaremos a prepararlo en breve.\n\n' +
          'Número de pedido: ORD-7\n\nHas pedido:\n\n- Fibra 600 Mb\n- Móvil Ilimitado\n\nTe iremos informando de cómo avanza.\n\nEl equipo de BSS\n',
        sms: 'BSS: hemos recibido tu pedido ORD-7: Fibra 600 Mb, Movil Ilimitado. Te iremos informando de como avanza.',
      });
      // Many items do not fit one SMS: the wording without them is used.
      const many = { orderId: 'ORD-7', items: Array.from({ length: 8 }, (_, i) => `Tarifa Ilimitada Plus ${i + 1}`) };
      expect(renderNotification('orderAcknowledged', 'en', many).sms).toBe('BSS: we have received your order ORD-7. We will keep you informed of its progress.');
      expect(renderNotification('orderAcknowledged', 'es', many).sms).toBe('BSS: hemos recibido tu pedido ORD-7. Te iremos informando de como avanza.');
      // Called without items (the run-time check refuses that): no empty list, no dangling colon.
      expect(renderNotification('orderAcknowledged', 'en', { orderId: 'ORD-7', items: [] })).toMatchObject({
        text: 'Hello,\n\nThank you for your order. We have received it and will start working on it shortly.\n\nOrder number: ORD-7\n\nWe will keep you informed of its progress.\n\nThe BSS team\n',
        sms: 'BSS: we have received your order ORD-7. We will keep you informed of its progress.',
      });
      expect(renderNotification('orderCompleted', 'es', { orderId: 'ORD-7', items: [] }).sms).toBe('BSS: tu pedido ORD-7 esta completado. Tu servicio ya esta activo.');
    });

    it('says the order is in progress, with the installation visit when there is one', () => {
      const en = renderNotification('orderInProgress', 'en', PARAMS.orderInProgress);
      expect(en.subject).toBe('Your BSS order ORD-7 is in progress');
      expect(en.text).toBe(
        'Hello Ana,\n\nWe are working on your order.\n\nOrder number: ORD-7\n\n' +
          'A technician will visit you to install the service:\n\n' +
          'Visit: 2026-12-01 09:00-13:00 UTC\nAddress: Calle Mayor 1, 28013 Madrid\n\n' +
          'Please make sure someone can let the technician in during that time.\n\nThe BSS team\n',
      );
      expect(en.html).toContain('<p>Visit: <strong>2026-12-01 09:00-13:00 UTC</strong><br>Address: <strong>Calle Mayor 1, 28013 Madrid</strong></p>');
      expect(en.sms).toBe('BSS: we are working on your order ORD-7. Technician visit: 2026-12-01 09:00-13:00 UTC at Calle Mayor 1, 28013 Madrid.');
      expect(renderNotification('orderInProgress', 'es', PARAMS.orderInProgress)).toMatchObject({
        subject: 'Estamos preparando tu pedido ORD-7 de BSS',
        text:
          'Hola, Ana:\n\nEstamos trabajando en tu pedido.\n\nNúmero de pedido: ORD-7\n\n' +
          'Un técnico te visitará para instalar el servicio:\n\n' +
          'Visita: 2026-12-01 09:00-13:00 UTC\nDirección: Calle Mayor 1, 28013 Madrid\n\n' +
          'Asegúrate de que haya alguien para abrir al técnico en ese horario.\n\nEl equipo de BSS\n',
        sms: 'BSS: estamos trabajando en tu pedido ORD-7. Visita del técnico: 2026-12-01 09:00-13:00 UTC en Calle Mayor 1, 28013 Madrid.',
      });

      // No visit.
      expect(renderNotification('orderInProgress', 'en', { orderId: 'ORD-7' })).toMatchObject({
        text: 'Hello,\n\nWe are working on your order.\n\nOrder number: ORD-7\n\nWe will let you know as soon as your service is active.\n\nThe BSS team\n',
        sms: 'BSS: we are working on your order ORD-7. We will let you know as soon as your service is active.',
      });
      expect(renderNotification('orderInProgress', 'es', { orderId: 'ORD-7' })).toMatchObject({
        text: 'Hola:\n\nEstamos trabajando en tu pedido.\n\nNúmero de pedido: ORD-7\n\nTe avisaremos en cuanto tu servicio esté activo.\n\nEl equipo de BSS\n',
        sms: 'BSS: estamos trabajando en tu pedido ORD-7. Te avisaremos en cuanto tu servicio esté activo.',
      });

      // A visit over two days, no address; a long address is left out of the SMS.
      const overnight = { orderId: 'ORD-7', appointment: { start: '2026-12-01T20:00:00Z', end: '2026-12-02T08:00:00Z' } };
      expect(renderNotification('orderInProgress', 'en', overnight).text).toContain('Visit: 2026-12-01 20:00 UTC - 2026-12-02 08:00 UTC\n\n');
      expect(renderNotification('orderInProgress', 'en', overnight).text).not.toContain('Address');
      const far = { orderId: 'ORD-7', appointment: { ...PARAMS.orderInProgress.appointment!, address: 'Urbanización Los Pinos, bloque 4, escalera B, 3.º izquierda, 28400 Collado Villalba (Madrid)' } };
      expect(renderNotification('orderInProgress', 'en', far).sms).toBe('BSS: we are working on your order ORD-7. Technician visit: 2026-12-01 09:00-13:00 UTC.');
      expect(renderNotification('orderInProgress', 'es', far).sms).toBe('BSS: estamos trabajando en tu pedido ORD-7. Visita del técnico: 2026-12-01 09:00-13:00 UTC.');
    });

    it('says why an order waits', () => {
      expect(renderNotification('orderPending', 'en', PARAMS.orderPending)).toMatchObject({
        subject: 'Your BSS order ORD-7 is on hold',
        text:
          'Hello Ana,\n\nWe cannot continue with your order for now.\n\nOrder number: ORD-7\nReason: no network capacity in the area yet\n\n' +
          'We will continue as soon as we can and let you know. You do not need to do anything.\n\nThe BSS team\n',
        sms: 'BSS: your order ORD-7 is on hold (no network capacity in the area yet). We will continue as soon as we can and let you know.',
      });
      expect(renderNotification('orderPending', 'es', PARAMS.orderPending)).toMatchObject({
        subject: 'Tu pedido ORD-7 de BSS está en espera',
        text:
          'Hola, Ana:\n\nPor ahora no podemos seguir con tu pedido.\n\nNúmero de pedido: ORD-7\nMotivo: no network capacity in the area yet\n\n' +
          'Lo retomaremos en cuanto podamos y te avisaremos. No tienes que hacer nada.\n\nEl equipo de BSS\n',
        sms: 'BSS: tu pedido ORD-7 esta en espera (no network capacity in the area yet). Lo retomaremos en cuanto podamos y te avisaremos.',
      });
      const long = { orderId: UUID, reason: 'the fibre access network in this building has no free ports until the new splitter is installed' };
      expect(renderNotification('orderPending', 'en', long).sms).toBe(`BSS: your order ${UUID} is on hold. We will continue as soon as we can and let you know.`);
      expect(renderNotification('orderPending', 'es', long).sms).toBe(`BSS: tu pedido ${UUID} esta en espera. Lo retomaremos en cuanto podamos y te avisaremos.`);
    });

    it('asks for another payment method before the deadline, the amount with its currency', () => {
      expect(renderNotification('orderPaymentDeclined', 'en', PARAMS.orderPaymentDeclined)).toEqual({
        subject: 'Payment declined for your BSS order ORD-7',
        text:
          'Hello Ana,\n\nThe payment of 49.90 EUR for your order was declined.\n\n' +
          'Order number: ORD-7\nAmount: 49.90 EUR\nReason: insufficient funds\n\n' +
          'Please pay with another payment method before 2026-12-03 09:00 UTC. If we have not received the payment by then, the order will be cancelled.\n\n' +
          'The BSS team\n',
        html:
          '<!doctype html>\n<html lang="en"><body>\n<p>Hello Ana,</p>\n<p>The payment of 49.90 EUR for your order was declined.</p>\n' +
          '<p>Order number: <strong>ORD-7</strong><br>Amount: <strong>49.90 EUR</strong><br>Reason: <strong>insufficient funds</strong></p>\n' +
          '<p>Please pay with another payment method before 2026-12-03 09:00 UTC. If we have not received the payment by then, the order will be cancelled.</p>\n' +
          '<p>The BSS team</p>\n</body></html>\n',
        sms: 'BSS: payment of 49.90 EUR for order ORD-7 declined (insufficient funds). Pay with another method by 2026-12-03 09:00 UTC or the order will be cancelled.',
      });
      expect(renderNotification('orderPaymentDeclined', 'es', PARAMS.orderPaymentDeclined)).toMatchObject({
        subject: 'Pago rechazado para tu pedido ORD-7 de BSS',
        text:
          'Hola, Ana:\n\nSe ha rechazado el pago de 49,90 EUR de tu pedido.\n\n' +
          'Número de pedido: ORD-7\nImporte: 49,90 EUR\nMotivo: insufficient funds\n\n' +
          'Paga con otro medio de pago antes del 2026-12-03 09:00 UTC. Si para entonces no hemos recibido el pago, el pedido se cancelará.\n\n' +
          'El equipo de BSS\n',
        sms: 'BSS: pago de 49,90 EUR del pedido ORD-7 rechazado (insufficient funds). Paga con otro medio antes del 2026-12-03 09:00 UTC o el pedido se cancelara.',
      });
      const long = { ...PARAMS.orderPaymentDeclined, orderId: UUID, amount: '12345.675', reason: 'the issuing bank refused the transaction (do not honour)' };
      expect(renderNotification('orderPaymentDeclined', 'en', long).sms).toBe(
        `BSS: payment of 12345.68 EUR for order ${UUID} declined. Pay another way by 2026-12-03 09:00 UTC or the order is cancelled.`,
      );
      expect(renderNotification('orderPaymentDeclined', 'es', long).sms).toBe(
        `BSS: pago de 12345,68 EUR del pedido ${UUID} rechazado. Paga con otro medio antes del 2026-12-03 09:00 UTC o se cancelara.`,
      );
    });

    it('says the service is active, with its number when there is one', () => {
      expect(renderNotification('orderCompleted', 'en', PARAMS.orderCompleted)).toMatchObject({
        subject: 'Your BSS order ORD-7 is complete',
        text:
          'Hello Ana,\n\nYour order is complete and your service is active.\n\nOrder number: ORD-7\nMobile number: +34600111222\n\n' +
          'Your order included:\n\n- Fibra 600 Mb\n- Móvil Ilimitado\n\nThank you for choosing BSS.\n\nThe BSS team\n',
        sms: 'BSS: your order ORD-7 is complete: Fibra 600 Mb, Movil Ilimitado. Your service is active. Your number is +34600111222.',
      });
      expect(renderNotification('orderCompleted', 'es', PARAMS.orderCompleted)).toMatchObject({
        subject: 'Tu pedido ORD-7 de BSS está completado',
        text:
          'Hola, Ana:\n\nTu pedido está completado y tu servicio ya está activo.\n\nNúmero de pedido: ORD-7\nNúmero de móvil: +34600111222\n\n' +
          'Tu pedido incluía:\n\n- Fibra 600 Mb\n- Móvil Ilimitado\n\nGracias por confiar en BSS.\n\nEl equipo de BSS\n',
        sms: 'BSS: tu pedido ORD-7 esta completado: Fibra 600 Mb, Movil Ilimitado. Tu servicio ya esta activo. Tu numero es +34600111222.',
      });
      const fibre = { orderId: 'ORD-7', items: ['Fibra 600 Mb'] };
      expect(renderNotification('orderCompleted', 'en', fibre).text).not.toContain('Mobile number');
      expect(renderNotification('orderCompleted', 'en', fibre).sms).toBe('BSS: your order ORD-7 is complete: Fibra 600 Mb. Your service is active.');
      // Too many items: the number is kept, the items are left out.
      const many = { ...PARAMS.orderCompleted, orderId: UUID, items: Array.from({ length: 5 }, (_, i) => `Tarifa Ilimitada Plus ${i + 1}`) };
      expect(renderNotification('orderCompleted', 'en', many).sms).toBe(
        `BSS: your order ${UUID} is complete and your service is active. Your number is +34600111222.`,
      );
      expect(renderNotification('orderCompleted', 'es', many).sms).toBe(
        `BSS: tu pedido ${UUID} esta completado y tu servicio ya esta activo. Tu numero es +34600111222.`,
      );
    });

    it('lists the reasons an order was rejected', () => {
      const en = renderNotification('orderRejected', 'en', PARAMS.orderRejected);
      expect(en.subject).toBe('Your BSS order ORD-7 could not be accepted');
      expect(en.text).toBe(
        'Hello Ana,\n\nWe could not accept your order for the following reasons:\n\n- customer: not active\n- Fibra 600 Mb: not sellable\n\n' +
          'Order number: ORD-7\n\nIf you have any questions, please contact us and quote your order number.\n\nThe BSS team\n',
      );
      expect(en.html).toContain('<ul><li>customer: not active</li><li>Fibra 600 Mb: not sellable</li></ul>');
      expect(en.sms).toBe('BSS: we could not accept your order ORD-7: customer: not active; Fibra 600 Mb: not sellable. Please contact us if you have any questions.');
      expect(renderNotification('orderRejected', 'es', PARAMS.orderRejected)).toMatchObject({
        subject: 'No hemos podido aceptar tu pedido ORD-7 de BSS',
        text:
          'Hola, Ana:\n\nNo hemos podido aceptar tu pedido por estos motivos:\n\n- customer: not active\n- Fibra 600 Mb: not sellable\n\n' +
          'Número de pedido: ORD-7\n\nSi tienes cualquier duda, contacta con nosotros indicando el número de pedido.\n\nEl equipo de BSS\n',
        sms: 'BSS: no hemos podido aceptar tu pedido ORD-7: customer: not active; Fibra 600 Mb: not sellable. Si tienes dudas, contacta con nosotros.',
      });
      expect(renderNotification('orderRejected', 'en', { orderId: 'ORD-7', reasons: [] })).toMatchObject({
        text: 'Hello,\n\nWe could not accept your order.\n\nOrder number: ORD-7\n\nIf you have any questions, please contact us and quote your order number.\n\nThe BSS team\n',
        sms: 'BSS: we could not accept your order ORD-7. Please contact us if you have any questions.',
      });
      const many = { orderId: UUID, reasons: ['customer: not active', 'Fibra 600 Mb: not sellable', 'paymentMethod: expired card'] };
      expect(renderNotification('orderRejected', 'en', many).sms).toBe(`BSS: we could not accept your order ${UUID}. Please contact us for the details.`);
      expect(renderNotification('orderRejected', 'es', many).sms).toBe(`BSS: no hemos podido aceptar tu pedido ${UUID}. Contacta con nosotros para conocer los detalles.`);
    });

    it('says a failed order is refunded, with the amount when it is known', () => {
      expect(renderNotification('orderFailed', 'en', PARAMS.orderFailed)).toMatchObject({
        subject: 'We could not complete your BSS order ORD-7',
        text:
          'Hello Ana,\n\nSomething went wrong on our side and we could not complete your order. We are sorry.\n\n' +
          'We have refunded 49.90 EUR to your payment method.\n\nOrder number: ORD-7\n\n' +
          'You can place the order again, or contact us and quote your order number.\n\nThe BSS team\n',
        sms: 'BSS: we could not complete your order ORD-7 because of a problem on our side. We have refunded 49.90 EUR to your payment method.',
      });
      expect(renderNotification('orderFailed', 'es', PARAMS.orderFailed)).toMatchObject({
        subject: 'No hemos podido completar tu pedido ORD-7 de BSS',
        text:
          'Hola, Ana:\n\nAlgo ha fallado por nuestra parte y no hemos podido completar tu pedido. Lo sentimos.\n\n' +
          'Te hemos devuelto 49,90 EUR a tu medio de pago.\n\nNúmero de pedido: ORD-7\n\n' +
          'Puedes hacer el pedido de nuevo o contactar con nosotros indicando el número de pedido.\n\nEl equipo de BSS\n',
        sms: 'BSS: no hemos podido completar tu pedido ORD-7 por un problema nuestro. Te hemos devuelto 49,90 EUR a tu medio de pago.',
      });
      // No amount, or nothing paid: no amount is shown.
      for (const params of [{ orderId: 'ORD-7' }, { orderId: 'ORD-7', refunded: '0.00', currency: 'EUR' }]) {
        const en = renderNotification('orderFailed', 'en', params);
        expect(en.text).toContain('\n\nAnything you paid for this order will be refunded.\n\n');
        expect(en.sms).toBe('BSS: we could not complete your order ORD-7 because of a problem on our side. Anything you paid for this order will be refunded.');
        expect(renderNotification('orderFailed', 'es', params).text).toContain('\n\nTe devolveremos lo que hayas pagado por este pedido.\n\n');
      }
      expect(renderNotification('orderFailed', 'en', { orderId: UUID, refunded: '1234.5', currency: 'EUR' }).sms).toBe(
        `BSS: we could not complete your order ${UUID}. We have refunded 1234.50 EUR.`,
      );
    });

    it('tells a cancellation with its reason and refund, when there are', () => {
      expect(renderNotification('orderCancelled', 'en', PARAMS.orderCancelled)).toMatchObject({
        subject: 'Your BSS order ORD-7 has been cancelled',
        text:
          'Hello Ana,\n\nYour order has been cancelled.\n\nOrder number: ORD-7\nReason: payment not received in time\n\n' +
          'We have refunded 10.00 EUR to your payment method.\n\nThe BSS team\n',
        sms: 'BSS: your order ORD-7 has been cancelled (payment not received in time). We have refunded 10.00 EUR to your payment method.',
      });
      expect(renderNotification('orderCancelled', 'es', PARAMS.orderCancelled)).toMatchObject({
        subject: 'Tu pedido ORD-7 de BSS se ha cancelado',
        text:
          'Hola, Ana:\n\nTu pedido se ha cancelado.\n\nNúmero de pedido: ORD-7\nMotivo: payment not received in time\n\n' +
          'Te hemos devuelto 10,00 EUR a tu medio de pago.\n\nEl equipo de BSS\n',
        sms: 'BSS: tu pedido ORD-7 se ha cancelado (payment not received in time). Te hemos devuelto 10,00 EUR a tu medio de pago.',
      });
      expect(renderNotification('orderCancelled', 'en', { orderId: 'ORD-7' })).toMatchObject({
        text: 'Hello,\n\nYour order has been cancelled.\n\nOrder number: ORD-7\n\nThe BSS team\n',
        sms: 'BSS: your order ORD-7 has been cancelled.',
      });
      expect(renderNotification('orderCancelled', 'es', { orderId: 'ORD-7' }).sms).toBe('BSS: tu pedido ORD-7 se ha cancelado.');
      const long = { orderId: UUID, reason: 'you asked us to cancel it through the customer service line on the day of installation', refunded: '99.99', currency: 'EUR' };
      expect(renderNotification('orderCancelled', 'en', long).sms).toBe(`BSS: your order ${UUID} has been cancelled. We have refunded 99.99 EUR.`);
      expect(renderNotification('orderCancelled', 'es', long).sms).toBe(`BSS: tu pedido ${UUID} se ha cancelado. Te hemos devuelto 99,99 EUR.`);
    });

    it('gives the new installation date, saying why when it is known', () => {
      expect(renderNotification('appointmentRescheduled', 'en', PARAMS.appointmentRescheduled)).toMatchObject({
        subject: 'New installation date for your BSS order ORD-7',
        text:
          'Hello Ana,\n\nYour installation visit could not take place as planned. The technician will now visit you on:\n\n' +
          'New visit: 2026-12-04 15:00-19:00 UTC\nOrder number: ORD-7\n\n' +
          'Please make sure someone can let the technician in during that time.\n\nThe BSS team\n',
        sms: 'BSS: your installation visit could not take place as planned. New visit for order ORD-7: 2026-12-04 15:00-19:00 UTC.',
      });
      expect(renderNotification('appointmentRescheduled', 'es', PARAMS.appointmentRescheduled)).toMatchObject({
        subject: 'Nueva fecha de instalación para tu pedido ORD-7 de BSS',
        text:
          'Hola, Ana:\n\nTu visita de instalación no pudo hacerse como estaba previsto. El técnico te visitará en esta fecha:\n\n' +
          'Nueva visita: 2026-12-04 15:00-19:00 UTC\nNúmero de pedido: ORD-7\n\n' +
          'Asegúrate de que haya alguien para abrir al técnico en ese horario.\n\nEl equipo de BSS\n',
        sms: 'BSS: tu visita de instalacion no pudo hacerse como estaba previsto. Nueva visita para el pedido ORD-7: 2026-12-04 15:00-19:00 UTC.',
      });
      const moved = { ...PARAMS.appointmentRescheduled, reason: 'moved' as const };
      expect(renderNotification('appointmentRescheduled', 'en', moved).sms).toBe(
        'BSS: your installation visit has been moved. New visit for order ORD-7: 2026-12-04 15:00-19:00 UTC.',
      );
      expect(renderNotification('appointmentRescheduled', 'es', moved).sms).toBe(
        'BSS: tu visita de instalacion ha cambiado de fecha. Nueva visita para el pedido ORD-7: 2026-12-04 15:00-19:00 UTC.',
      );
      const unsaid = { orderId: 'ORD-7', start: '2026-12-04T15:00:00Z', end: '2026-12-04T19:00:00Z' };
      expect(renderNotification('appointmentRescheduled', 'en', unsaid).text).toContain('Hello,\n\nYour installation visit has a new date. The technician will now visit you on:');
      expect(renderNotification('appointmentRescheduled', 'es', unsaid).text).toContain('Hola:\n\nTu visita de instalación tiene una nueva fecha.');
      const longId = { ...unsaid, orderId: `${UUID}-${UUID}`, reason: 'missed' as const };
      expect(renderNotification('appointmentRescheduled', 'en', longId).sms).toBe(
        `BSS: new installation visit for order ${UUID}-${UUID}: 2026-12-04 15:00-19:00 UTC.`,
      );
    });

    it('escalates a twice-failed installation to a supervisor', () => {
      expect(renderNotification('installationEscalation', 'en', PARAMS.installationEscalation)).toEqual({
        subject: 'Installation failed twice: order ORD-7',
        text:
          'Hello,\n\nThe technician visit for order ORD-7 has failed twice and needs a supervisor.\n\n' +
          'Order: ORD-7\nWork order: WO-31\nFailed visits: 2\nArea: Madrid Centro\n\n' +
          'Please contact the customer and arrange the next visit.\n\nBSS\n',
        html:
          '<!doctype html>\n<html lang="en"><body>\n<p>Hello,</p>\n<p>The technician visit for order ORD-7 has failed twice and needs a supervisor.</p>\n' +
          '<p>Order: <strong>ORD-7</strong><br>Work order: <strong>WO-31</strong><br>Failed visits: <strong>2</strong><br>Area: <strong>Madrid Centro</strong></p>\n' +
          '<p>Please contact the customer and arrange the next visit.</p>\n<p>BSS</p>\n</body></html>\n',
        sms: 'BSS: the installation visit for order ORD-7 (work order WO-31, Madrid Centro) has failed twice. Please arrange the next visit.',
      });
      expect(renderNotification('installationEscalation', 'es', PARAMS.installationEscalation)).toMatchObject({
        subject: 'Instalación fallida 2 veces: pedido ORD-7',
        text:
          'Hola:\n\nLa visita del técnico para el pedido ORD-7 ha fallado 2 veces y necesita a un supervisor.\n\n' +
          'Pedido: ORD-7\nOrden de trabajo: WO-31\nVisitas fallidas: 2\nZona: Madrid Centro\n\n' +
          'Contacta con el cliente y organiza la próxima visita.\n\nBSS\n',
        sms: 'BSS: la visita de instalacion del pedido ORD-7 (orden de trabajo WO-31, Madrid Centro) ha fallado 2 veces. Organiza la proxima visita.',
      });
      const three = { orderId: 'ORD-7', workOrderId: 'WO-31', misses: 3 };
      expect(renderNotification('installationEscalation', 'en', three).subject).toBe('Installation failed 3 times: order ORD-7');
      expect(renderNotification('installationEscalation', 'en', three).text).not.toContain('Area');
      expect(renderNotification('installationEscalation', 'es', { ...three, misses: 1 }).subject).toBe('Instalación fallida 1 vez: pedido ORD-7');
      const long = { orderId: UUID, workOrderId: UUID, misses: 2, area: 'Sierra Norte de Madrid' };
      expect(renderNotification('installationEscalation', 'en', long).sms).toBe(`BSS: the installation visit for order ${UUID} has failed twice. Please arrange the next visit.`);
      expect(renderNotification('installationEscalation', 'es', long).sms).toBe(`BSS: la visita de instalacion del pedido ${UUID} ha fallado 2 veces. Organiza la proxima visita.`);
    });

    it('announces a bill with what is due, or the credit', () => {
      expect(renderNotification('billIssued', 'en', PARAMS.billIssued)).toMatchObject({
        subject: 'Your BSS bill B-0000000042',
        text:
          'Hello Ana,\n\nYour bill for 2026-11-01 to 2026-11-30 is ready; you will find it attached as a PDF.\n\n' +
          'Bill number: B-0000000042\nAmount due: 61.71 EUR\nDue date: 2026-12-15\n\n' +
          'Pay by card in self-care, or by bank transfer quoting the bill number (details on the bill).\n\nThe BSS team\n',
        sms: 'BSS: your bill B-0000000042 is ready. Amount due 61.71 EUR by 2026-12-15.',
      });
      expect(renderNotification('billIssued', 'es', PARAMS.billIssued).text).toContain('Importe a pagar: 61,71 EUR\nFecha de vencimiento: 2026-12-15');
      const credit = renderNotification('billIssued', 'en', { ...PARAMS.billIssued, amountDue: '-9.75' });
      expect(credit.text).toContain('Credit in your favour: 9.75 EUR\n\nThere is nothing to pay.');
      expect(credit.text).not.toContain('Due date');
      expect(parseNotificationParams('billIssued', { ...PARAMS.billIssued, dueDate: '15/12/2026' })).toEqual({
        ok: false,
        error: 'invalid parameters for billIssued: params.dueDate: must be a calendar date such as 2026-12-01',
      });
    });

    it('keeps every order SMS to one message with long ids, names and texts, GSM or not', () => {
      const long = 'x'.repeat(120);
      const worst: { [E in keyof NotificationParams]?: NotificationParams[E] } = {
        orderAcknowledged: { orderId: UUID, items: [long, long] },
        orderInProgress: { orderId: UUID, appointment: { start: '2026-12-01T20:00:00Z', end: '2026-12-02T08:00:00Z', address: long } },
        orderPending: { orderId: UUID, reason: long },
        orderPaymentDeclined: { orderId: UUID, amount: '123456.78', currency: 'EUR', reason: long, payBefore: '2026-12-03T09:00:00Z' },
        orderCompleted: { orderId: UUID, items: [long], msisdn: '+34600111222' },
        orderRejected: { orderId: UUID, reasons: [long] },
        orderFailed: { orderId: UUID, refunded: '123456.78', currency: 'EUR' },
        orderCancelled: { orderId: UUID, reason: long, refunded: '123456.78', currency: 'EUR' },
        appointmentRescheduled: { orderId: UUID, start: '2026-12-01T20:00:00Z', end: '2026-12-02T08:00:00Z', reason: 'missed' },
        installationEscalation: { orderId: UUID, workOrderId: UUID, misses: 12, area: long },
      };
      for (const language of ['en', 'es']) {
        for (const [event, params] of Object.entries(worst)) {
          // Free text in another script would make the SMS UCS-2: the wording without it is used.
          for (const p of [params, JSON.parse(JSON.stringify(params).replaceAll('xxxxxxxxxx', '王芳王芳王芳王芳王芳'))]) {
            const { sms } = renderNotification(event as never, language, p as never);
            expect(isGsm7(sms)).toBe(true);
            expect(gsmLength(sms)).toBeLessThanOrEqual(160);
          }
        }
      }
    });

    it('formats amounts with their currency and time windows in UTC', () => {
      expect(formatMoney('49.9', 'EUR', 'en')).toBe('49.90 EUR');
      expect(formatMoney('49.9', 'EUR', 'es')).toBe('49,90 EUR');
      expect(formatMoney('0.125', 'USD', 'en')).toBe('0.13 USD');
      expect(formatMoney('1000', 'GBP', 'es')).toBe('1000,00 GBP');
      expect(formatMoney('lots', 'EUR', 'en')).toBe('lots EUR');
      expect(formatTimeWindow('2026-12-01T10:00:00+01:00', '2026-12-01T13:00:00Z')).toBe('2026-12-01 09:00-13:00 UTC');
      expect(formatTimeWindow('2026-12-01T23:00:00Z', '2026-12-02T01:00:00Z')).toBe('2026-12-01 23:00 UTC - 2026-12-02 01:00 UTC');
      expect(formatTimeWindow('morning', '2026-12-02T01:00:00Z')).toBe('morning - 2026-12-02 01:00 UTC');
    });

    it('checks order parameters as they arrive, naming the bad field', () => {
      const check = (event: string, params: unknown) => parseNotificationParams(event, params);
      expect(check('orderAcknowledged', { givenName: '', orderId: 'ORD-7', items: ['Fibra'], extra: 1 })).toEqual({
        ok: true,
        event: 'orderAcknowledged',
        params: { givenName: undefined, orderId: 'ORD-7', items: ['Fibra'] },
      });
      expect(check('orderAcknowledged', { orderId: 'ORD-7', items: [] })).toEqual({
        ok: false,
        error: 'invalid parameters for orderAcknowledged: params.items: Too small: expected array to have >=1 items',
      });
      expect(check('orderAcknowledged', { orderId: '', items: ['Fibra', ''] })).toEqual({
        ok: false,
        error:
          'invalid parameters for orderAcknowledged: params.orderId: Too small: expected string to have >=1 characters; ' +
          'params.items.1: Too small: expected string to have >=1 characters',
      });
      expect(check('orderInProgress', { orderId: 'ORD-7', appointment: null })).toEqual({
        ok: true,
        event: 'orderInProgress',
        params: { orderId: 'ORD-7', givenName: undefined, appointment: undefined },
      });
      expect(check('orderInProgress', { orderId: 'ORD-7', appointment: { start: '2026-12-01 09:00', end: '2026-12-01T13:00:00Z' } })).toEqual({
        ok: false,
        error: 'invalid parameters for orderInProgress: params.appointment.start: must be an ISO 8601 date and time with an offset, e.g. 2026-12-01T09:00:00Z',
      });
      expect(check('orderInProgress', { orderId: 'ORD-7', appointment: { start: '2026-12-01T13:00:00Z', end: '2026-12-01T09:00:00Z' } })).toEqual({
        ok: false,
        error: 'invalid parameters for orderInProgress: params.appointment.end: must be after start',
      });
      expect(check('orderPending', { orderId: 'ORD-7' })).toEqual({
        ok: false,
        error: 'invalid parameters for orderPending: params.reason: Invalid input: expected string, received undefined',
      });
      expect(check('orderPaymentDeclined', { ...PARAMS.orderPaymentDeclined, amount: 49.9, currency: 'eur', payBefore: 'tomorrow' })).toEqual({
        ok: false,
        error:
          'invalid parameters for orderPaymentDeclined: params.amount: Invalid input: expected string, received number; ' +
          'params.currency: must be an ISO 4217 currency code such as EUR; ' +
          'params.payBefore: must be an ISO 8601 date and time with an offset, e.g. 2026-12-01T09:00:00Z',
      });
      expect(check('orderPaymentDeclined', { ...PARAMS.orderPaymentDeclined, amount: '-5' })).toEqual({
        ok: false,
        error: 'invalid parameters for orderPaymentDeclined: params.amount: must be a decimal amount such as 19.90',
      });
      expect(check('orderCompleted', { orderId: 'ORD-7', items: 'Fibra' })).toEqual({
        ok: false,
        error: 'invalid parameters for orderCompleted: params.items: Invalid input: expected array, received string',
      });
      expect(check('orderRejected', { orderId: 'ORD-7' })).toEqual({ ok: true, event: 'orderRejected', params: { orderId: 'ORD-7', givenName: undefined, reasons: [] } });
      expect(check('orderFailed', { orderId: 'ORD-7', refunded: '49.90' })).toEqual({
        ok: false,
        error: 'invalid parameters for orderFailed: params.currency: required when refunded is given',
      });
      expect(check('orderFailed', { orderId: 'ORD-7', refunded: '', currency: null })).toEqual({
        ok: true,
        event: 'orderFailed',
        params: { orderId: 'ORD-7', givenName: undefined, refunded: undefined, currency: undefined },
      });
      expect(check('orderCancelled', { orderId: 'ORD-7', refunded: '10,00', currency: 'EUR' })).toEqual({
        ok: false,
        error: 'invalid parameters for orderCancelled: params.refunded: must be a decimal amount such as 19.90',
      });
      expect(check('appointmentRescheduled', { orderId: 'ORD-7', start: '2026-12-04T15:00:00Z', end: '2026-12-04T15:00:00Z', reason: 'late' })).toEqual({
        ok: false,
        error: 'invalid parameters for appointmentRescheduled: params.reason: Invalid option: expected one of "missed"|"moved"',
      });
      expect(check('appointmentRescheduled', { orderId: 'ORD-7', start: '2026-12-04T15:00:00Z', end: '2026-12-04T15:00:00Z' })).toEqual({
        ok: false,
        error: 'invalid parameters for appointmentRescheduled: params.end: must be after start',
      });
      expect(check('installationEscalation', { orderId: 'ORD-7', workOrderId: 'WO-31', misses: '2' })).toEqual({
        ok: false,
        error: 'invalid parameters for installationEscalation: params.misses: Invalid input: expected number, received string',
      });
      expect(check('installationEscalation', { orderId: 'ORD-7', misses: 0.5 })).toEqual({
        ok: false,
        error:
          'invalid parameters for installationEscalation: params.workOrderId: Invalid input: expected string, received undefined; ' +
          'params.misses: Invalid input: expected int, received number',
      });
      // Every new event's example parameters pass their own check unchanged.
      for (const event of ['orderAcknowledged', 'orderPending', 'orderPaymentDeclined', 'orderCompleted', 'orderRejected', 'installationEscalation'] as const) {
        expect(check(event, PARAMS[event])).toEqual({ ok: true, event, params: PARAMS[event] });
      }
    });
  });

  describe('prepaid balance events', () => {
    it('confirms a top-up with the new balance, in both languages', () => {
      expect(renderNotification('topUpCompleted', 'en', PARAMS.topUpCompleted)).toMatchObject({
        subject: 'Your BSS top-up of 20.00 EUR is done',
        text: 'Hello Ana,\n\nWe have added 20.00 EUR to your balance.\n\nTop-up: 20.00 EUR\nBalance now: 23.50 EUR\n\nThe BSS team\n',
        sms: 'BSS: we have added 20.00 EUR to your balance. Your balance is now 23.50 EUR.',
      });
      expect(renderNotification('topUpCompleted', 'es', PARAMS.topUpCompleted)).toMatchObject({
        subject: 'Tu recarga de 20,00 EUR en BSS está hecha',
        sms: 'BSS: hemos añadido 20,00 EUR a tu saldo. Tu saldo es ahora 23,50 EUR.',
      });
    });

    it('tells a failed top-up with its reason and the refund when there is one', () => {
      expect(renderNotification('topUpFailed', 'en', PARAMS.topUpFailed).sms).toBe(
        'BSS: your top-up of 20.00 EUR did not go through (card ****0341 declined: insufficient funds). We have refunded 20.00 EUR. Nothing was added to your balance.',
      );
      const declined = { ...PARAMS.topUpFailed, refunded: undefined };
      expect(renderNotification('topUpFailed', 'en', declined).text).not.toContain('refunded');
      expect(renderNotification('topUpFailed', 'es', PARAMS.topUpFailed).sms).toBe(
        'BSS: tu recarga de 20,00 EUR no se ha completado (card ****0341 declined: insufficient funds). Te hemos devuelto 20,00 EUR. No se ha añadido nada a tu saldo.',
      );
    });

    it('warns of a low balance against its threshold', () => {
      expect(renderNotification('lowBalance', 'en', PARAMS.lowBalance)).toMatchObject({
        subject: 'Your BSS balance is low: 3.20 EUR',
        sms: 'BSS: your balance is 3.20 EUR, below 5.00 EUR. Top up to keep using your services.',
      });
      expect(renderNotification('lowBalance', 'es', PARAMS.lowBalance).sms).toBe('BSS: tu saldo es de 3,20 EUR, por debajo de 5,00 EUR. Recarga para seguir usando tus servicios.');
    });
  });
});
