export {
  aadhaar,
  appId,
  bdNid,
  bdPhone,
  clinicbookEvent,
  dateOfBirth,
  email,
  freeText,
  inPhone,
  isoDateTime,
} from './arbitraries.ts';
export { leafValues } from './leaves.ts';
