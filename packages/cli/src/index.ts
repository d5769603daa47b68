export { CliError } from './errors.ts';
