import { solve } from './solution';

const driverCases: number[] = [3, 0];
for (const driverCase of driverCases) {
    console.log(solve(driverCase));
}
