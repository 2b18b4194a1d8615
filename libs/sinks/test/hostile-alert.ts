// Test data only: not exported from the library.
import { AccessKind, OpenerClassification, sampleAlert, Severity } from '@beesting/events';
import type { Alert } from '@beesting/events';

/** An alert whose every user-controlled string tries to break out of its message format. */
export function hostileAlert(): Alert {
  const alert = sampleAlert();
  alert.id = '01JEBX1J2Z5N9Y0W4QF6V8T3KM-first';
  alert.severity = Severity.HIGH;
  const event = alert.event!;
  event.id = '01JEBX1J2Z5N9Y0W4QF6V8T3KM';
  event.owner!.pod!.name = '<!channel> *bold* _it_ `code`';
  event.owner!.pod!.namespace = 'prod<http://evil.example|click>';
  event.owner!.container!.name = 'app & <@U123>';
  event.owner!.node = 'node-1';
  event.trap!.path = '/var/run/secrets/<!here>/token';
  event.accessKind = AccessKind.OPEN;
  event.opener!.classification = OpenerClassification.OTHER_CONTAINER;
  event.opener!.containerId = 'f'.repeat(64);
  event.opener!.process!.exe = '/tmp/<script>';
  event.opener!.process!.argv = ['cat', '<!everyone>', '*not bold*', '<http://x|y>', '&amp;'];
  event.opener!.ancestors = [{ pid: 1, tgid: 1, comm: 'sh', exe: '/bin/sh <!subteam^S1>', argv: [], cwd: '/', uid: 0, gid: 0 } as never];
  return alert;
}
