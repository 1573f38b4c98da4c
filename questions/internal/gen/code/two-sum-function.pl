use strict;
use warnings;

# Returns a reference to the list of the indices of the two numbers of @$nums
# that add up to $target.
sub two_sum {
    my ($nums, $target) = @_;
    # TODO: find $i != $j with $nums->[$i] + $nums->[$j] == $target, and
    # return [$i, $j].
    return [];
}

1;
