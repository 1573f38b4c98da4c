# two_sum prints the indices (from 0) of the two numbers of the array nums
# that add up to its argument, the target, separated by a space. The driver
# sets nums, a global array, before it calls two_sum.
two_sum() {
  local target=$1
  # TODO: find i != j with nums[i] + nums[j] == target, and print "$i $j".
  echo
}
