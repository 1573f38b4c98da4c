set -u
source ./solution.sh

for driver_case in 3 0; do
  solve "$driver_case"
done
