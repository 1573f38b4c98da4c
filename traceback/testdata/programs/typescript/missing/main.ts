import { solve } from './solution';

const driverAnswer: number = solve(3);
console.log(driverAnswer);
