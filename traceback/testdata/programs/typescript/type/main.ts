import { solve } from './solution';

const driverInput = 4;
console.log(solve(driverInput));
