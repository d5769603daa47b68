import { verhoeffCheckDigit } from '@residency/core';
import type { Random } from './random.ts';

// Common given names and family names in Bangladesh and West Bengal (public knowledge, not data
// of any person); combined at random they make realistic but synthetic people.
const BD_GIVEN = [
  'Rahim',
  'Karim',
  'Fatema',
  'Ayesha',
  'Nusrat',
  'Tanvir',
  'Sadia',
  'Mahmud',
  'Rokeya',
  'Jamal',
  'Farhana',
  'Imran',
  'Shirin',
  'Habib',
  'Taslima',
  'Arif',
  'Nasrin',
  'Sohel',
  'Mim',
  'Rafiq',
];
const BD_FAMILY = [
  'Uddin',
  'Hossain',
  'Rahman',
  'Islam',
  'Akter',
  'Begum',
  'Chowdhury',
  'Miah',
  'Sarkar',
  'Khan',
  'Ahmed',
  'Haque',
  'Talukder',
  'Bhuiyan',
  'Sheikh',
];
const IN_GIVEN = [
  'Arijit',
  'Sourav',
  'Ananya',
  'Rituparna',
  'Debashis',
  'Moumita',
  'Subhajit',
  'Priyanka',
  'Abhishek',
  'Sayantani',
  'Indranil',
  'Tanushree',
  'Amit',
  'Paromita',
  'Rajib',
];
const IN_FAMILY = [
  'Banerjee',
  'Chatterjee',
  'Mukherjee',
  'Ghosh',
  'Bose',
  'Das',
  'Sen',
  'Dutta',
  'Roy',
  'Chakraborty',
  'Sarkar',
  'Mondal',
  'Pal',
  'Saha',
  'Bhattacharya',
];
const BD_AREAS = ['Mirpur', 'Uttara', 'Dhanmondi', 'Mohammadpur', 'Gulshan', 'Badda', 'Jatrabari', 'Tejgaon'];
const IN_AREAS = ['Salt Lake', 'Behala', 'Garia', 'Dum Dum', 'Howrah', 'New Town', 'Jadavpur', 'Tollygunge'];
const EMAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com'];

/** A synthetic person with realistic identifiers for their country. Personal data in shape only. */
export interface SyntheticPerson {
  country: 'BD' | 'IN';
  name: string;
  phone: string;
  email?: string;
  nationalId?: string;
  address: string;
  district: string;
  dateOfBirth: string;
  gender: 'female' | 'male' | 'other' | 'undisclosed';
}

/** Generates one synthetic person of `country`. */
export function createPerson(random: Random, country: 'BD' | 'IN'): SyntheticPerson {
  const given = random.pick(country === 'BD' ? BD_GIVEN : IN_GIVEN);
  const family = random.pick(country === 'BD' ? BD_FAMILY : IN_FAMILY);
  const area = random.pick(country === 'BD' ? BD_AREAS : IN_AREAS);
  const year = random.int(1940, 2022);
  const dateOfBirth = `${year}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
  const person: SyntheticPerson = {
    country,
    name: `${given} ${family}`,
    phone: country === 'BD' ? bdPhone(random) : inPhone(random),
    address: `House ${random.int(1, 120)}, Road ${random.int(1, 30)}, ${area}`,
    district: country === 'BD' ? 'Dhaka' : random.pick(['Kolkata', 'Howrah', 'North 24 Parganas']),
    dateOfBirth,
    gender: random.pick(['female', 'male', 'female', 'male', 'other', 'undisclosed'] as const),
  };
  if (random.chance(0.6)) {
    person.email = `${given.toLowerCase()}.${family.toLowerCase()}${random.int(1, 999)}@${random.pick(EMAIL_DOMAINS)}`;
  }
  if (random.chance(0.7)) person.nationalId = country === 'BD' ? bdNid(random, year) : aadhaar(random);
  return person;
}

function bdPhone(random: Random): string {
  const national = `01${random.pick(['3', '4', '5', '6', '7', '8', '9'])}${random.digits(8)}`;
  // The formats people actually type: local, with +880 and separators, or the bare country code.
  const style = random.int(0, 2);
  if (style === 0) return national;
  if (style === 1) return `+880 ${national.slice(1, 5)}-${national.slice(5)}`;
  return `880${national.slice(1)}`;
}

function inPhone(random: Random): string {
  const national = `${random.pick(['98', '97', '99', '94', '70', '81', '90', '62'])}${random.digits(8)}`;
  return random.chance(0.5) ? `+91 ${national.slice(0, 5)} ${national.slice(5)}` : `0${national}`;
}

function aadhaar(random: Random): string {
  const body = `${random.int(2, 9)}${random.digits(10)}`;
  const full = `${body}${verhoeffCheckDigit(body)}`;
  return `${full.slice(0, 4)} ${full.slice(4, 8)} ${full.slice(8)}`;
}

function bdNid(random: Random, birthYear: number): string {
  const kind = random.int(0, 2);
  if (kind === 0) return `${random.int(1, 9)}${random.digits(9)}`;
  if (kind === 1) return `${random.int(1, 9)}${random.digits(12)}`;
  return `${birthYear}${random.digits(13)}`;
}
