/** BFDProfile: optional intervals left to FRR's defaults when unset; ranges as MetalLB's CRD. */
import type { DecodeOptions, RawObject } from './decode.js';
import { FieldReader } from './fields.js';
import { checkBfdProfileName } from './frr-strings.js';
import type { BfdProfile, ObjectRef } from './model.js';
import { Problems } from './problems.js';

const SPEC_FIELDS = [
  'receiveInterval', 'transmitInterval', 'detectMultiplier', 'echoInterval', 'echoMode', 'passiveMode', 'minimumTtl',
];

export function decodeBfdProfile(obj: RawObject, ref: ObjectRef, _opts: DecodeOptions, problems: Problems): BfdProfile | undefined {
  const r = new FieldReader(ref, problems);
  const before = problems.errorCount;
  const nameProblem = checkBfdProfileName(ref.name);
  if (nameProblem) r.error('metadata.name', nameProblem);
  const spec = r.map(obj.spec, 'spec');
  r.unknownFields(spec, SPEC_FIELDS, 'spec');
  const profile: BfdProfile = {
    ref,
    receiveInterval: r.integer(spec.receiveInterval, 'spec.receiveInterval', 10, 60000),
    transmitInterval: r.integer(spec.transmitInterval, 'spec.transmitInterval', 10, 60000),
    detectMultiplier: r.integer(spec.detectMultiplier, 'spec.detectMultiplier', 2, 255),
    echoInterval: r.integer(spec.echoInterval, 'spec.echoInterval', 10, 60000),
    echoMode: r.boolean(spec.echoMode, 'spec.echoMode') ?? false,
    passiveMode: r.boolean(spec.passiveMode, 'spec.passiveMode') ?? false,
    minimumTtl: r.integer(spec.minimumTtl, 'spec.minimumTtl', 1, 254),
  };
  return problems.errorCount === before ? profile : undefined;
}
