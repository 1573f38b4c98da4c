import { solve } from './solution';

const driverResult = solve(3);
console.log(driverResult.length);
