import type { ProducerEvent } from '../event-types.ts';
import type { CanaryIdentity } from './identity.ts';

const DISTRICTS = ['Dhaka', 'Gazipur', 'Narayanganj', 'Chattogram'];

/**
 * The default canary event: a valid ClinicBook `patient.registered` for the synthetic identity,
 * so it travels the same path as a real registration (validated, tokenized, linked).
 *
 * @example clinicbookCanary(canaryIdentity(secret, 1n), 'residency-canary')
 */
export function clinicbookCanary(identity: CanaryIdentity, tenantId: string): ProducerEvent {
  const district = DISTRICTS[Number(identity.nationalId.slice(-1)) % DISTRICTS.length] ?? 'Dhaka';
  return {
    type: 'patient.registered',
    tenantId,
    patientId: identity.patientId,
    phone: identity.phone,
    email: identity.email,
    nationalId: identity.nationalId,
    name: identity.name,
    address: `House ${identity.patientId.slice(-2)}, Road ${identity.patientId.slice(-4, -2)}, ${district}`,
    dateOfBirth: identity.dateOfBirth,
    gender: identity.gender,
    district,
  };
}
